# The built site: header.hbs ({{t "id"}}) and the page script (every js- message, sent to the browser by the build).

## header.hbs
header-search-label = Search the course
header-search-placeholder = Search the course
header-account = Account
header-login = Log in

## certbook.js: the account bar and search
js-login = Log in
js-logout = Log out
js-myResults = My progress
js-certExpiring = ⚠ Certificate expiring soon
js-certExpired = ⚠ Certificate expired
js-noResults = No matching lessons
js-searchFailed = The search index could not be loaded
js-loading = Loading…
js-networkError = Network error. Your answers are still on the page; try submitting again in a moment.
js-listSep = ;{" "}
js-enumSep = ,{" "}

## certbook.js: quizzes
js-loginToTake = Log in to take this quiz; the server grades your answers.
js-start = Start
js-resume = Resume
js-retry = Try again
js-submit = Submit answers
js-submitting = Submitting…
js-questions = Questions: { $n }
js-passMark = Pass mark: { $p }%
js-timeLimit = Time limit: { $m } min
js-attemptsLeft = Attempts left: { $n }
js-unlimited = unlimited
js-best = Best: { $best }
js-bestPassed = { $p }% (passed)
js-none = none yet
js-sequential = one question at a time, no going back
js-noAttemptsLeft = You have no attempts left.
js-passed = Passed
js-failed = Not passed
js-score = Score: { $p }%
js-scorePoints = {" "}({ $score } / { $max } points)
js-questionPoints = {" "}({ $n } pt)
js-right = Correct
js-wrong = Incorrect
js-correctAnswer = Correct answer: { $answer }
js-yourAnswer = Your answer: { $answer }
js-notAnswered = not answered
js-yourPick = your answer
js-timeLeft = Time left: { $time }
js-timeUp = Time is up. Submit now: answers sent late are not graded.
js-true = True
js-false = False
js-moveUp = Move up: { $item }
js-moveDown = Move down: { $item }
js-choose = Choose…
js-seqProgress = Question { $i } of { $n }
js-next = Next question
js-seqNoBack = One question at a time: once you move on, you cannot go back.
js-seqAllAnswered = All questions are answered. Submit your answers.
js-elsewhere = This attempt is open on another device. Ask your instructor to release it, then continue.
js-abandon = Abandon this attempt
js-abandonConfirm = An abandoned attempt is not graded and your answers are discarded; you can then start again. Abandon this attempt?

## certbook.js: simulations
js-loginToPlay = Log in to play; the server works out the result of each round.
js-sbStart = Start the simulation
js-sbResume = Resume the simulation
js-sbRetry = Play again
js-sbRounds = Rounds: { $n }
js-sbRunsLeft = Runs left: { $n }
js-sbBest = Best score: { $best }
js-sbNoRunsLeft = You have no runs left.
js-sbRound = Round { $r } of { $n }
js-sbSubmit = Submit this round's decisions
js-sbAllocated = Allocated: { $amount }
js-sbAvailable = available: { $amount }
js-sbExact = {" "}(must be allocated in full)
js-sbWhatHappened = What happened: { $round }
js-sbLesson = Related lesson
js-sbScore = Simulation score: { $score } / 100
js-sbObjectives = Objectives
js-sbAdvice = Debrief
js-sbHistory = Your decisions, round by round
js-sbRecord = Download the run record (check it with certbook sandbox replay)
js-sbState = Current state
js-sbChange = Change this round
js-sbFinished = Simulation over
js-sbChoose = Make a choice for every decision.
js-sbPoints = { $n } percentage points
js-chartLabel = { $label }: { $values }

## certbook.js: lessons and exercises
js-markRead = Mark this lesson as read
js-isRead = ✓ Lesson read
js-readFailed = That could not be saved; try again later.
js-exLogin = Log in to submit your answer here.
js-exSubmit = Submit answer
js-exRevise = Save changes
js-exSaved = Submitted. You can revise it until an instructor grades it. ({ $version })
js-exRevision = Version { $n }
js-exGraded = Graded by your instructor · Total { $total } (pass mark { $pass })
js-exDimension = { $title }: { $score }
js-exFeedback = Instructor's feedback:
js-exChars = Characters: { $n } / { $min }–{ $max }
js-certIssued = Congratulations! You have earned a new certificate: { $names }
js-myProgress = See my progress
