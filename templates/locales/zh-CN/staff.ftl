# Staff pages: grading, HR, transcript of a learner, attempt detail, certificate operations.

## Shared by the staff pages
staff-all = 全部
staff-filter = 筛选
staff-cohort = 批次
staff-department = 部门
staff-level = 等级
staff-username-paren = （{ $username }）
staff-export-certificates = 导出证书 CSV
# Joins the items of a list (levels held, flags, questions).
staff-list-separator = 、
staff-flag-too-easy = 太容易
staff-flag-too-hard = 太难
staff-flag-negative-discrimination = 区分度为负

## Charts
chart-funnel-title = 学员认证漏斗
chart-learners-value = { $n } 人
chart-pass-rate-title = 各测验通过率
chart-no-scores = 还没有成绩

## HR: learner overview
hr-title = 学员总览
hr-from = 从
hr-to = 到
hr-learner-count-before = 学员
hr-learner-count-after = 人，其中已开始学习 { $active } 人。
hr-export-learners = 导出学员 CSV
hr-levels-heading = 各等级
hr-level-certified = 持证人数
hr-level-median-days = 取证用时中位数（天）
hr-quizzes-heading = 测验
hr-quiz = 测验
hr-quiz-learners = 作答人数
hr-pass-rate = 通过率
hr-quiz-median-best = 最好成绩中位数
hr-no-data = 暂无数据
hr-exam-settings = 考试设置与调整（为学员或批次延长时间、增加次数）：
hr-scenarios-heading = 沙盘
hr-scenario = 沙盘
hr-scenario-finished = 完成人数
hr-scenario-pass-share = ≥ { $score } 分比例
hr-scenario-median-best = 最好得分中位数
hr-learner-list-heading = 学员名单
hr-learner = 学员
hr-levels-held = 已获证书
hr-no-matching-learners = 没有符合条件的学员
hr-list-limit = 最多列出 { $limit } 人；完整名单请导出 CSV。
hr-funnel-all = 全部学员
hr-funnel-started = 已开始学习
hr-dashboard-forbidden = 只有人力资源与管理员可以查看学员总览。
hr-filter-invalid = 筛选条件有误
hr-date-format = 日期格式应为 YYYY-MM-DD：{ $date }
hr-no-such-learner = 没有这位学员
hr-no-such-learner-title = 没有这位学员
hr-transcript-forbidden = 只有讲师、人力资源与管理员可以查看学员成绩单。
hr-attempt-forbidden = 只有讲师、人力资源与管理员可以查看学员的作答。
hr-attempt-title = 作答详情
hr-no-such-attempt-title = 没有这次作答
hr-attempt-open = 进行中
hr-attempt-graded = 已评分
hr-attempt-expired = 超时未作答
hr-attempt-late = 关闭后提交（不计分）
hr-attempt-abandoned = 已放弃
# Joins the options of an answer (not an ordering question's).
hr-answer-separator = ；

## A learner's transcript
transcript-title = 学员成绩单
transcript-back = ← 返回学员总览
transcript-heading = 成绩单：{ $name }
transcript-account-line = 账号 { $username } · 批次 { $cohort } · 部门 { $department }
# Statuses as stored; an unknown one shows as it is.
transcript-attempt-status = { $status ->
    [open] 作答中
    [expired] 超时
    [late] 逾期提交
    [abandoned] 已放弃
   *[other] { $status }
}
transcript-run-status = { $status ->
    [open] 进行中
    [finished] 已完成
    [abandoned] 已放弃
   *[other] { $status }
}
transcript-exercise-status = { $status ->
    [submitted] 待评分
    [graded] 已评分
   *[other] { $status }
}
transcript-erased = 应本人请求，该学员的个人信息已删除；证书仅保留验证所需的信息。
transcript-certificates = 证书
transcript-valid = 有效
transcript-expired = 已过期
transcript-suspended = 已暂停
transcript-revoked = 已撤销
transcript-valid-until = （有效期至 { $day }）
transcript-imported = 导入
transcript-no-certificates = 尚未获得证书。
transcript-quizzes = 测验
transcript-quiz = 测验
transcript-attempts = 次数
transcript-best = 最好成绩
transcript-passed = 通过
transcript-recent = 最近的作答（点开看每题）
transcript-yes = 是
transcript-no = 否
transcript-none = 暂无
transcript-scenarios = 沙盘
transcript-scenario = 沙盘
transcript-status = 状态
transcript-score = 得分
transcript-exercises = 练习
transcript-exercise = 练习
transcript-total = 总分
transcript-revision = 版本
transcript-erase-heading = 删除个人信息
transcript-erase-text = 依《个人信息保护法》应学员本人请求删除：测验、沙盘、练习、阅读记录和登录会话将被删除，账号匿名化且无法再登录；证书只保留验证所需的持证人姓名、等级、日期和状态。此操作会写入审计日志，且不可撤销。
transcript-erase-confirm-before = 输入该学员的登录名
transcript-erase-confirm-after = 以确认
transcript-erase-button = 删除个人信息

## Grading
grading-title = 待评分
grading-heading = 待评分的练习
grading-learner = 学员
grading-exercise = 练习
grading-revision-column = 版本
grading-submitted-column = 提交时间
grading-chars = 字数
grading-revision = 第 { $n } 版
grading-queue-empty = 目前没有待评分的答案。
grading-forbidden = 只有讲师可以评分。
grading-no-such-submission-title = 没有这份提交
grading-no-such-submission-text = 它可能已被删除，或编号有误。
grading-no-such-submission = 没有这份提交
grading-no-such-exercise = 没有这个练习：{ $exercise }
grading-answer-length = 答案需要 { $min }～{ $max } 个字，现在是 { $n } 个字
grading-already-graded = 已经评分的答案不能再修改
grading-score-out-of-range = 「{ $dimension }」({ $id }) 需要 0～100 的分数
grading-no-such-dimension = 没有评分维度 `{ $dimension }`
grading-feedback-too-long = 反馈太长（最多 { $max } 字）
grade-title = 评分
grade-back = ← 返回待评分列表
grade-learner = 学员：{ $name }
grade-submitted = 提交于 { $at }
grade-graded-total = 已评分（总分 { $total }）
grade-prompt = 题目
grade-answer = 学员答案
grade-heading = 按五个维度评分（0–100）
grade-weight = （权重 { $weight }）
grade-score = 分数
grade-band = ≥ { $min }：{ $text }
grade-feedback = 给学员的反馈
grade-update = 更新评分
grade-submit = 提交评分
grade-pass-note = 及格线：{ $pass } 分。评分后学员会在练习处看到分数与反馈。

## Certificate operations
certops-title = 证书管理
certops-intro = 即将到期与近期过期的证书；导入历史认证记录；批量下载证书 PDF。
certops-ahead-label = 未来
certops-ahead-after = 天内到期，
certops-past-label = 及过去
certops-past-after = 天内已过期
certops-holder = 持证人
certops-certificate-id = 证书编号
certops-expires = 到期日
certops-days-left = 剩余天数
certops-status = 状态
certops-no-email-hint = 没有邮箱，只能在学员页面看到提醒
certops-no-email = 无邮箱
certops-imported = （导入）
certops-expired = 已过期
certops-valid = 有效
certops-none-expiring = 这段时间内没有到期的证书
certops-download-all = 下载全部有效证书 PDF（zip）
certops-download-expiring = 只下载 { $days } 天内到期的
certops-import-heading = 导入历史认证记录
certops-import-done = 已导入 { $count } 张证书。
certops-import-refused-intro = 未导入任何证书，请改正以下问题后重新提交：
certops-import-help-before = 每行一张证书，第一行为表头
certops-import-help-after = 。日期格式 YYYY-MM-DD；到期日留空时按该等级的有效期计算；等级可写编号或名称。所有行都检查通过才会导入，导入的证书在证据中标明“导入”。
certops-import-file = 选择 CSV 文件
certops-import-paste = 或粘贴内容
certops-import-example-row = zhangsan,intermediate,2025-03-01,,2025 春季线下考核
certops-import-submit = 检查并导入
certops-forbidden = 只有人力资源与管理员可以管理证书。
certops-import-forbidden = 只有人力资源与管理员可以导入证书。
certops-erase-forbidden = 只有管理员可以删除学员个人信息。
certops-not-erased-title = 未删除
certops-days-out-of-range = 天数最多 { $max }
certops-expiring-within-out-of-range = expiring_within 最多 { $max } 天
certops-import-content-type = 请以 text/csv 上传
certops-import-not-utf8 = CSV 须为 UTF-8 编码
certops-import-refused = { $count } 行有误，未导入任何证书
certops-import-no-track = 课程没有认证体系，无法导入证书
certops-import-no-such-learner = 没有学员账号「{ $learner }」
certops-import-not-a-learner = 「{ $learner }」不是学员账号
certops-import-already-held = 「{ $learner }」已持有该等级证书 { $certificate }
certops-erase-no-such-learner = 没有这位学员，或已删除
certops-erase-not-a-learner = 只能删除学员账号的个人信息
certops-erase-confirm-mismatch = 请输入该学员的登录名以确认删除。
certops-erased-user-name = 已删除用户
certops-zip-none-match = 没有符合条件的证书
certops-zip-too-many = 符合条件的证书有 { $count } 张，一次最多打包 { $max } 张，请缩小筛选范围
