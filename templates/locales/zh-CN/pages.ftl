# The learner's server pages: login, account, layout, errors; learner quiz and sandbox runs.

## Dates
date-long = { $year } 年 { $month } 月 { $day } 日

## Layout (the header of every server page)
layout-my-progress = 我的进度
layout-grading = 评分
layout-analysis = 题目分析
layout-build = 课程构建
layout-learners = 学员总览
layout-certificates = 证书管理
layout-log-out = 退出

## Roles
role-learner = 学员
role-instructor = 讲师
role-hr = 人力资源
role-admin = 管理员

## Login
login-title = 登录
login-username = 用户名
login-password = 密码
login-submit = 登录
login-form-expired = 登录表单已过期，请重新提交。

## Error pages
error-page-home = 返回课程首页
pages-forbidden-title = 没有权限
pages-not-served-title = 没有这个页面
pages-not-served = 此服务器只提供 API 与服务器页面，课程网站由前端的 Web 服务器提供

## The learner's account page
account-title = 我的进度
account-user-role = { $name }（{ $role }）
account-export = 下载我的全部数据（JSON）
account-reminders-heading = 证书到期提醒
account-reminder-your = 您的
account-reminder-expired = 证书（{ $certificate }）已于 { $date } 过期。
account-reminder-expiring = 证书（{ $certificate }）将于 { $date } 到期，还剩 { $days } 天。
account-renew-by = 续证要求：
account-renew-separator = ；
account-renew-after = 。完成后证书编号不变，有效期自动延长。
account-renew-offline = 该等级不能在线续证，请联系人力资源部门。
account-certificates-heading = 我的证书
account-certificate-number = 编号
account-status-revoked = 已撤销
account-status-expired = 已过期
account-status-suspended = 已暂停
account-status-valid = 有效
account-valid-until = （有效期至 { $date }）
account-print = 打印证书
account-verify = 验证页
account-credential = 下载签名凭证
account-track-progress = { $track }认证进度
account-level-held = 已获得
account-level-met = 已达成
account-level-not-met = 未达成
account-level-needs-previous = 需要先获得上一级证书。
account-requirement-current = （当前 { $value }）
account-chart-modules = 各模块阅读进度
account-chart-history = 测验成绩变化
account-chart-radar = 五维度能力（已评分练习的平均）
account-quizzes-heading = 测验成绩
account-quiz = 测验
account-quiz-attempts = 作答次数
account-quiz-best = 最好成绩
account-quiz-status = 状态
account-quiz-passed = 已通过
account-quiz-not-passed = 未通过
account-no-quizzes = 还没有作答记录。打开任意一课，在页面底部的测验里作答即可。
account-runs-heading = 沙盘推演
account-run-scenario = 沙盘
account-run-score = 得分
account-run-record = 推演记录
account-run-download = 下载

## Accounts (the command line and the demo accounts)
account-role-unknown = 没有角色「{ $role }」：请用 learner、instructor、hr 或 admin
account-username-length = 用户名须为 1 到 64 个字符
account-password-too-short = 密码至少需要 8 个字符
account-email-invalid = 「{ $email }」不是电子邮件地址
account-demo-learner = 演示学员
account-demo-learner2 = 演示学员二
account-demo-learner3 = 演示学员三
account-demo-instructor = 演示讲师
account-demo-hr = 演示HR
account-demo-admin = 演示管理员

## An attempt as staff review it
attempt-title = 作答详情
attempt-transcript-link = { $name } 的成绩单
attempt-learner = 学员 { $name }（{ $username }）
attempt-id = 作答
attempt-started = 开始于 { $date }
attempt-score = 得分 { $percent }%
attempt-passed = （通过）
attempt-failed = （未通过）
attempt-note = 每题按该次作答显示的顺序列出选项（字母为作答时的标注），标出学员所选与参考答案；数值题按该次作答抽到的数字显示。
attempt-correct = 正确
attempt-wrong = 错误
attempt-points = { $awarded } / { $points } 分
attempt-chosen = 学员所选
attempt-key = 参考答案
attempt-given = 学员答案：{ $answer }
attempt-given-blank = 学员答案：未作答
attempt-key-answer = 参考答案：{ $answer }
attempt-explanation = 解析：{ $text }
attempt-not-graded = 这次作答还没有评分结果，没有可以回看的题目。

## Quiz and exam attempt errors (each id is also the API's error code)
quiz-not-found = 没有这个测验：{ $quiz }
quiz-address-refused = 此测验只能在指定网络中作答，当前地址 { $address } 不在其中
quiz-not-open-yet = 测验尚未开放，开放时间：{ $opens }
quiz-closed = 测验已于 { $closes } 关闭
quiz-no-attempts-left = 作答次数已用完（已作答 { $used } 次）
quiz-retake-not-yet = 距上次考试结束的等待期未满，{ $at } 起可以重考
quiz-override-time-invalid = `{ $field }` 不是带时区的 RFC 3339 时间（例如 2026-03-01T09:00:00+08:00）
exam-attempt-not-found = 没有这次作答记录
exam-attempt-cannot-abandon = 考试的作答不能放弃，请在时限内提交
exam-attempt-ended = 本次作答已结束
exam-attempt-ended-cannot-save = 本次作答已结束，不能再保存
exam-attempt-closed-not-graded = 测验已关闭：答案已保存但不计分，作答按关闭前自动保存的进度结算
exam-attempt-time-up = 时间已到：本次作答按自动保存的进度结算，此次提交不计分
exam-attempt-going-back = 顺序模式不能返回已作答的题目：{ $question }
exam-attempt-skipping = 顺序模式须按顺序作答，还没到题目：{ $question }
exam-attempt-not-sequential = 此测验不是逐题作答模式
exam-attempt-other-device = 此次测验已在另一台设备上进行，请联系讲师释放

## Answers that cannot be graded
quiz-answer-extra-question = 题目「{ $question }」不在本次作答中
quiz-answer-question-gone = 题目「{ $question }」已不在测验「{ $quiz }」中
quiz-answer-variant-failed = 题目「{ $question }」无法生成：{ $detail }
quiz-answer-not-one-letter = 题目「{ $question }」的答案应为一个字母
quiz-answer-not-letter = 题目「{ $question }」的答案应为 A 到 { $last } 之间的一个字母
quiz-answer-not-letter-list = 题目「{ $question }」的答案应为字母列表
quiz-answer-not-letters = 题目「{ $question }」的答案应为 A 到 { $last } 之间的字母
quiz-answer-not-bool = 题目「{ $question }」的答案应为 true 或 false
quiz-answer-not-text = 题目「{ $question }」的答案应为文字
quiz-answer-not-number = 题目「{ $question }」的答案应为数字

## Sandbox run errors
run-scenario-not-found = 没有这个沙盘：{ $scenario }
run-not-found = 没有这次推演记录
run-round-already-played = 第 { $round } 轮已经提交过
run-scenario-changed-version = 沙盘已更新（本次推演为第 { $run_version } 版，当前为第 { $current_version } 版），请重新开始
run-scenario-changed = 沙盘已更新，请重新开始
run-no-runs-left = 推演次数已用完（已推演 { $used } 次）
run-over = 这次推演已经结束
run-round-out-of-order = 现在应提交第 { $expected } 轮

## Team sessions: the judges' rubric
team-rubric-knowledge = 知识掌握
team-rubric-problem-solving = 问题解决
team-rubric-innovation = 创新思维
team-rubric-teamwork = 团队协作
team-rubric-communication = 表达沟通

## Team sessions (pages)
layout-team-sessions = 团队推演
teams-title = 团队推演
teams-heading = 团队沙盘推演
teams-session = 推演
teams-scenario = 沙盘
teams-status = 状态
teams-rounds-played = 已完成轮次
teams-status-name = { $status ->
    [ready] 轮次之间
    [open] 本轮进行中
    [paused] 已暂停
    [finished] 已结束
   *[other] { $status }
}
teams-none = 还没有团队推演。
teams-create = 新建推演
teams-title-field = 标题（例如：周五小组挑战赛）
teams-cohort = 班级（留空：全部学员）
teams-form = 分组方式
teams-form-random = 随机分成这么多组：
teams-count = 组数
teams-form-department = 每个部门一组
teams-form-csv = 按名单：每行一名学员，"用户名,组名[,角色;角色][,captain]"
teams-csv = 名单
teams-pick-roles = 学员自己选角色
teams-create-button = 创建推演
teams-loading = 正在载入推演……
teams-not-found-title = 没有这场推演
teamjs-round = 第 { $n } 轮，共 { $rounds } 轮
teamjs-status-ready = 轮次之间：等讲师开放下一轮。
teamjs-status-open = 本轮进行中。
teamjs-status-paused = 讲师已暂停。
teamjs-status-finished = 推演已结束。
teamjs-time-left = 剩余时间：{ $time }
teamjs-your-team = 你的团队：{ $team }
teamjs-your-roles = 你的角色：{ $roles }
teamjs-no-roles = 还没有角色
teamjs-captain = 队长
teamjs-decisions = 本轮决策
teamjs-owned-by = 由{ $role }决定
teamjs-drafted-by = { $name } 的草稿
teamjs-submitted = 已提交
teamjs-submit-mine = 提交我的决策
teamjs-confirm = 替团队提交本轮
teamjs-team-submitted = 你的团队已提交本轮，等待其他团队。
teamjs-leaderboard = 排行榜
teamjs-team = 团队
teamjs-after-round = 第 { $n } 轮后
teamjs-members = 成员
teamjs-in = 已提交
teamjs-waiting = 未提交
teamjs-defaulted = 第 { $rounds } 轮按默认决策
teamjs-state = 我们的数据
teamjs-reports = 每轮经过
teamjs-result = 最终得分：{ $score }
teamjs-console = 主持推演
teamjs-open = 开放下一轮
teamjs-minutes = 分钟
teamjs-extend = 延长
teamjs-pause = 暂停
teamjs-resume = 继续
teamjs-close = 立即结束本轮
teamjs-market-report = 第 { $n } 轮后的市场报告
teamjs-debrief = 复盘：各团队逐轮对比
teamjs-what-if = 假如……
teamjs-what-if-help = 改动某个团队某一轮的一项决策，整个市场重新推演，与真实结果并排对照。不会保存。
teamjs-what-if-run = 重新推演
teamjs-real = 实际结果
teamjs-changed = 改动之后
teamjs-judging = 评委评分
teamjs-comment = 点评
teamjs-best = 最佳团队
teamjs-save-judging = 保存评分
teamjs-score = 得分
teamjs-total = 总分
teamjs-saved = 已保存。
teamjs-error = 没有完成：{ $error }
teamjs-roles-pick = 选择你的角色
teamjs-save-roles = 保存角色
teamjs-round-col = 轮次
teamjs-allocated = 已分配 { $sum } / { $total }
teamjs-decision = 决策
teamjs-value = 取值
teamjs-member-captain = { $name }（队长）
teamjs-list-sep = 、
teamjs-member = 成员
teamjs-assign = 保存
transcript-team-sessions = 团队推演
transcript-team-session = 推演
transcript-team = 团队
transcript-judged = 评委评分（满分 25）
teamjs-move = 分组与角色
