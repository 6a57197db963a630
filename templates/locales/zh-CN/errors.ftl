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

## Team sandbox sessions
team-session-not-found = 没有这场团队推演
team-round-not-open = 这一轮没有开放：请等讲师开放，或刷新页面
team-round-submitted = 你的团队已经提交了这一轮
team-decision-locked = 这项决策已由负责的角色提交，本轮不能再改
team-count-bad = { $learners } 名学员分不成 { $teams } 个团队
team-csv-bad-line = 第 { $line } 行：格式是 "用户名,团队[,角色;角色][,captain]"
team-csv-unknown-learner = 第 { $line } 行：这个班级没有学员 "{ $user }"
team-csv-unknown-role = 第 { $line } 行：场景里没有角色 "{ $role }"
team-count-market = 这个市场需要 { $least } 到 { $most } 个团队，现在组成了 { $teams } 个
team-no-learners = 没有可分组的学员：请检查班级
team-default-name = 第 { $n } 组
team-session-wrong-state = 推演处于"{ $status }"状态，不能这样操作
team-decision-not-yours = "{ $decision }"由团队里的另一个角色负责
team-captain-only = 只有队长可以替团队提交本轮
team-roles-assigned = 这场推演的角色由讲师分配
team-no-such-role = 场景里没有角色 "{ $role }"
team-no-such-team = 没有第 { $team } 组
team-what-if-round = 第 { $round } 轮还没有进行
team-rubric-bad = 请给出 { $count } 项评分，每项 1 到 5 分
team-form-bad = 请说明分组方式："random"（并给出 "teams"）、"department"，或 "csv"（并给出 "csv"）
team-control-bad = 操作必须是 open、extend、pause、resume 或 close
team-size-bad = "{ $team }"会有 { $size } 名成员；这个沙盘每队 { $least } 到 { $most } 人
team-no-such-learner = 没有编号为 { $user } 的学员
team-csv-twice = 第 { $line } 行："{ $user }"已经在上面的某个团队里
