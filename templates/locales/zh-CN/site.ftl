# Pages the build writes: home, certification, glossary, case and quiz blocks.

## The book's summary and section titles
site-home = 首页
site-certification-link = { $track }认证说明
site-glossary = 术语表
site-course-overview = 课程概览
site-cases-title = 案例库
site-templates-title = 文档模板
site-list-separator = 、

## The home page
site-home-course = ：{ $summary }（{ $modules } 个模块，{ $lessons } 课）
site-home-track = 学完课程可以申请 **[{ $track }认证](certification.md)**：{ $order }达到要求时自动发证。
site-home-track-order = { $order }，

## The certification page
site-track-title = { $track }认证说明
site-track-how = 怎样取得证书
site-levels-in-turn = { $names } { $count } 个等级逐级取得
site-track-order = { $order }：先取得前一级，后一级的要求才会生效。
site-req-kind-read = 读完指定的课（在课末点「标记本课为已读」）
site-req-kind-quiz = 考试达到及格线（取最好一次）
site-req-kind-scenario = 沙盘推演达到指定得分（取最好一次）
site-req-kind-team-scenario = 讲师组织的团队推演中，所在团队达到指定得分（取最好一次）
site-req-kind-exercise = 开放练习由讲师评分达到指定分数
site-req-kinds = 要求包括：{ $kinds }。课后小测只用于练习，不计入认证。
site-track-automatic = 满足某一级的全部要求时，系统立即自动发证，不需要申请。在「我的进度」页面可以随时看到每一项要求的完成情况和下一步该做什么。
site-track-verify = 每张证书都有编号和公开的验证页，任何人都可以核验；持证人还可以下载带数字签名的电子凭证（Open Badges 3.0），离线也能验证真伪。证书被撤销后，验证页会显示「已撤销」。
site-req-previous = 先取得 **{ $level }**
site-req-read = 读完「[{ $title }]({ $url })」
site-req-read-id = 读完 { $id }
site-req-quiz = 测验「[{ $title }]({ $url })」≥ { $min }%
site-req-quiz-unlinked = 测验「{ $title }」≥ { $min }%
site-req-scenario = 沙盘「[{ $title }]({ $url })」得分 ≥ { $min }
site-req-scenario-unlinked = 沙盘「{ $title }」得分 ≥ { $min }
site-req-team-scenario = 团队推演「[{ $title }]({ $url })」团队得分 ≥ { $min }
site-req-team-scenario-unlinked = 团队推演「{ $title }」团队得分 ≥ { $min }
site-req-exercise = 练习「[{ $title }]({ $url })」讲师评分 ≥ { $min }
site-req-exercise-unlinked = 练习「{ $title }」讲师评分 ≥ { $min }
site-rubric-title = 评分维度
site-rubric-intro = 开放练习按 { $n } 个维度评分，每个维度 0–100 分，按权重加权得出总分：
site-rubric-criterion = 维度
site-rubric-weight = 权重

## An exam's blueprint on the certification page
site-exam-per-attempt = ：每次 { $n } 题
site-exam-time-limit = ，限时 { $minutes } 分钟
site-exam-pass-mark = ，{ $mark } 分及格
site-exam-attempts = ，每个认证周期可考 { $n } 次
site-exam-retake = ，两次考试至少间隔 { $days } 天
site-exam-draw = 。题目按下表从题库中随机抽取，优先抽你没见过的题；考试结束前不公布答案和解析。
site-exam-col-topic = 内容
site-exam-col-skill = 考查的核心技能
site-exam-col-difficulty = 难度
site-exam-col-drawn = 抽题数
site-exam-col-pool = 题库题数
site-exam-any-difficulty = 不限
site-exam-mixed-topic = 综合
quiz-difficulty-easy = 基础
quiz-difficulty-medium = 中等
quiz-difficulty-hard = 较难

## Course, module and lesson pages
site-course-col-module = 模块
site-course-col-lessons = 课时
site-course-col-time = 预计学习时间
site-minutes = { $n } 分钟
site-lesson-time = 预计学习时间：{ $n } 分钟
site-lesson-objectives = 学习目标
site-template-download = 下载模板（Markdown 文件）
site-glossary-intro = 课程里每个指标和术语只有这一个定义；课文中术语的链接都指向这里。
site-glossary-differs = 口径说明：{ $text }

## Quiz, simulation and exercise blocks before the page script fills them in
site-quiz-fallback = 本测验在服务器上评分：请<a href="/login">登录</a>后在此作答。
site-sandbox-fallback = 沙盘在服务器上推演：请<a href="/login">登录</a>后在此开始。
site-exercise-minutes = 建议用时 { $n } 分钟 · 由讲师按五维度评分
site-exercise-fallback = 请<a href="/login">登录</a>后在此提交你的答案，讲师评分后可在此查看反馈。

## A review of a graded attempt
quiz-true = 对
quiz-false = 错

## Simulation decisions the engine refuses
sandbox-no-such-decision = 第 { $round } 轮：本轮没有决策「{ $decision }」
sandbox-decision-missing = 第 { $round } 轮：缺少决策「{ $decision }」
sandbox-not-an-option = 第 { $round } 轮：「{ $choice }」不是本轮「{ $decision }」的选项
sandbox-not-an-allocation-option = 第 { $round } 轮：「{ $option }」不是「{ $decision }」的选项
sandbox-amount-missing = 第 { $round } 轮：「{ $decision }」缺少「{ $option }」的数额
sandbox-amount-out-of-range = 第 { $round } 轮：{ $option } 必须在 { $min }～{ $max } 之间，收到 { $value }
sandbox-amount-not-a-multiple = 第 { $round } 轮：{ $option } 必须按 { $step } 的整数倍填写，收到 { $value }
sandbox-allocation-not-exact = 第 { $round } 轮：{ $decision } 必须正好分配 { $total }，现在是 { $sum }
sandbox-allocation-over-total = 第 { $round } 轮：{ $decision } 合计 { $sum }，超过了可用的 { $total }
sandbox-choose-one-option = 第 { $round } 轮：「{ $decision }」需要选择一个选项
sandbox-amount-for-each-option = 第 { $round } 轮：「{ $decision }」需要为每个选项填写数额
