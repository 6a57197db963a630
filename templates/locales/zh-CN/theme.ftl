# The built site: header.hbs ({{t "id"}}) and the page script (every js- message, sent to the browser by the build).

## header.hbs
header-search-label = 搜索课程
header-search-placeholder = 搜索课程，如：留存、转化
header-account = 账户
header-login = 登录

## certbook.js: the account bar and search
js-login = 登录
js-logout = 退出
js-myResults = 我的进度
js-certExpiring = ⚠ 证书即将到期
js-certExpired = ⚠ 证书已过期
js-noResults = 没有找到相关课程
js-searchFailed = 搜索索引加载失败
js-loading = 正在加载……
js-networkError = 网络错误：答案仍保留在页面上，请稍后再次提交。
js-listSep = ；
js-enumSep = 、

## certbook.js: quizzes
js-loginToTake = 登录后即可作答，成绩由服务器评定。
js-start = 开始作答
js-resume = 继续作答
js-retry = 再做一次
js-submit = 提交答案
js-submitting = 正在提交……
js-questions = { $n } 题
js-passMark = 及格线 { $p }%
js-timeLimit = 限时 { $m } 分钟
js-attemptsLeft = 剩余次数 { $n }
js-unlimited = 不限
js-best = 最好成绩 { $best }
js-bestPassed = { $p }%（通过）
js-none = 暂无
js-sequential = 逐题作答，不能返回
js-noAttemptsLeft = 作答次数已用完。
js-passed = 通过
js-failed = 未通过
js-score = 得分 { $p }%
js-scorePoints = （{ $score } / { $max } 分）
js-questionPoints = （{ $n } 分）
js-right = 正确
js-wrong = 错误
js-correctAnswer = 参考答案：{ $answer }
js-yourAnswer = 你的答案：{ $answer }
js-notAnswered = 未作答
js-yourPick = 你的选择
js-timeLeft = 剩余时间 { $time }
js-timeUp = 时间到，请尽快提交（超时的答卷不计分）。
js-true = 对
js-false = 错
js-moveUp = 上移：{ $item }
js-moveDown = 下移：{ $item }
js-choose = 请选择
js-seqProgress = 第 { $i } / { $n } 题
js-next = 下一题
js-seqNoBack = 逐题作答：进入下一题后不能返回修改。
js-seqAllAnswered = 全部题目已作答，请提交。
js-elsewhere = 此次测验已在另一台设备上进行，请联系讲师释放后再继续。
js-abandon = 放弃本次作答
js-abandonConfirm = 放弃后这次作答不计分，已填的答案不再保留，可以重新开始。确定放弃吗？

## certbook.js: simulations
js-loginToPlay = 登录后即可推演，每一轮的结果由服务器计算。
js-sbStart = 开始推演
js-sbResume = 继续推演
js-sbRetry = 再推演一次
js-sbRounds = { $n } 轮
js-sbRunsLeft = 剩余推演次数 { $n }
js-sbBest = 最好成绩 { $best }
js-sbNoRunsLeft = 推演次数已用完。
js-sbRound = 第 { $r } / { $n } 轮
js-sbSubmit = 提交本轮决策
js-sbAllocated = 已分配 { $amount }
js-sbAvailable = 可用 { $amount }
js-sbExact = （必须正好分完）
js-sbWhatHappened = 本轮发生了什么（{ $round }）
js-sbLesson = 相关课程
js-sbScore = 推演得分 { $score } / 100
js-sbObjectives = 考核目标
js-sbAdvice = 复盘建议
js-sbHistory = 历次决策回顾
js-sbRecord = 下载推演记录（可用 certbook sandbox replay 复核）
js-sbState = 当前状态
js-sbChange = 本轮变化
js-sbFinished = 推演结束
js-sbChoose = 请选择一项
js-sbPoints = { $n } 个百分点
js-chartLabel = { $label }：{ $values }

## certbook.js: lessons and exercises
js-markRead = 标记本课为已读
js-isRead = ✓ 已读完本课
js-readFailed = 未能记录，请稍后再试
js-exLogin = 登录后即可在此提交答案。
js-exSubmit = 提交答案
js-exRevise = 保存修改
js-exSaved = 已提交，讲师评分前可随时修改。（{ $version }）
js-exRevision = 第 { $n } 版
js-exGraded = 讲师已评分 · 总分 { $total }（及格线 { $pass }）
js-exDimension = { $title }：{ $score }
js-exFeedback = 讲师反馈：
js-exChars = 字数 { $n } / { $min }–{ $max }
js-certIssued = 恭喜！你获得了新的证书：{ $names }
js-myProgress = 查看我的进度
