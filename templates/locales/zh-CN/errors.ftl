# API and page errors. Each id is also the error's stable code (with _ for -).

# A text not yet given its own message.
plain = { $text }
login-required = 请先登录。
wrong-credentials = 用户名或密码不正确。
forbidden = 你的角色没有权限进行此操作。
csrf = 页面的安全令牌缺失或已过期，请刷新页面后重试。
exam-password-required = 请输入正确的考试密码。
internal-error = 服务器内部错误，请稍后再试。
request-too-large = 请求内容过大。
unsupported-media-type = 不支持该请求内容类型（{ $detail }）。
invalid-request = 请求格式不正确（{ $detail }）。
invalid-json = 请求内容不是有效的 JSON（{ $detail }）。
invalid-path = 地址格式不正确（{ $detail }）。
invalid-query = 查询参数不正确（{ $detail }）。
method-not-allowed = 不支持此请求方法。
request-timeout = 请求超时，请重试。
not-found = 未找到。
request-refused = 无法处理该请求（{ $detail }）。
too-many-logins = 登录失败次数过多，请 { $minutes } 分钟后再试。
