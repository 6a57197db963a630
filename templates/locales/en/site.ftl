# Pages the build writes: home, certification, glossary, case and quiz blocks.

## The book's summary and section titles
site-home = Home
site-certification-link = About the { $track }
site-glossary = Glossary
site-course-overview = Course overview
site-cases-title = Case studies
site-templates-title = Templates
site-list-separator = ,{" "}

## The home page
site-home-course = : { $summary } ({ $modules ->
    [one] one module
   *[other] { $modules } modules
}, { $lessons ->
    [one] one lesson
   *[other] { $lessons } lessons
})
site-home-track = When you finish, you can earn the **[{ $track }](certification.md)**: { $order }certificates are issued automatically once you meet the requirements.
site-home-track-order = { $order };{" "}

## The certification page
site-track-title = About the { $track }
site-track-how = How to get certified
site-levels-in-turn = { $count ->
    [one] one level ({ $names })
   *[other] { $count } levels taken in turn ({ $names })
}
site-track-order = { $order }: the requirements of a level count only once you hold the level before it.
site-req-kind-read = reading the assigned lessons (click "Mark this lesson as read" at the end of each)
site-req-kind-quiz = passing the exams (your best attempt counts)
site-req-kind-scenario = reaching the set score in the simulations (your best run counts)
site-req-kind-team-scenario = reaching the set score in team sessions run by an instructor (the best final score of your team counts)
site-req-kind-exercise = reaching the set score on open exercises graded by an instructor
site-req-kinds = Requirements include { $kinds }. End-of-lesson quizzes are for practice only and do not count towards certification.
site-track-automatic = As soon as you meet all the requirements of a level, the certificate is issued automatically; there is nothing to apply for. Your "My progress" page shows where you stand on each requirement and what to do next.
site-track-verify = Every certificate has a number and a public verification page that anyone can check. Holders can also download a digitally signed credential (Open Badges 3.0) that can be verified offline. If a certificate is revoked, its verification page says "Revoked".
site-req-previous = Hold **{ $level }** first
site-req-read = Read "[{ $title }]({ $url })"
site-req-read-id = Read { $id }
site-req-quiz = Quiz "[{ $title }]({ $url })": { $min }% or more
site-req-quiz-unlinked = Quiz "{ $title }": { $min }% or more
site-req-scenario = Simulation "[{ $title }]({ $url })": score of { $min } or more
site-req-scenario-unlinked = Simulation "{ $title }": score of { $min } or more
site-req-team-scenario = Team session on "[{ $title }]({ $url })": team score of { $min } or more
site-req-team-scenario-unlinked = Team session on "{ $title }": team score of { $min } or more
site-req-exercise = Exercise "[{ $title }]({ $url })": instructor's grade of { $min } or more
site-req-exercise-unlinked = Exercise "{ $title }": instructor's grade of { $min } or more
site-rubric-title = Grading criteria
site-rubric-intro = Open exercises are graded on { $n } criteria, each scored 0–100; the total weights them as follows:
site-rubric-criterion = Criterion
site-rubric-weight = Weight

## An exam's blueprint on the certification page
site-exam-per-attempt = : { $n } questions per attempt
site-exam-time-limit = , time limit { $minutes } min
site-exam-pass-mark = , pass mark { $mark }
site-exam-attempts = , { $n ->
    [one] one attempt
   *[other] up to { $n } attempts
} per certification period
site-exam-retake = , at least { $days ->
    [one] one day
   *[other] { $days } days
} between attempts
site-exam-draw = . Questions are drawn at random from the bank as the table below shows, preferring ones you have not seen; answers and explanations are not shown until the exam is over.
site-exam-col-topic = Topic
site-exam-col-skill = Core skill assessed
site-exam-col-difficulty = Difficulty
site-exam-col-drawn = Drawn
site-exam-col-pool = In the bank
site-exam-any-difficulty = Any
site-exam-mixed-topic = Mixed
quiz-difficulty-easy = Easy
quiz-difficulty-medium = Medium
quiz-difficulty-hard = Hard

## Course, module and lesson pages
site-course-col-module = Module
site-course-col-lessons = Lessons
site-course-col-time = Estimated time
site-minutes = { $n } min
site-lesson-time = Estimated time: { $n } min
site-lesson-objectives = Learning objectives
site-template-download = Download the template (Markdown file)
site-glossary-intro = Each metric and term in the course has exactly one definition, here; terms in the lessons link to it.
site-glossary-differs = Note on usage: { $text }

## Quiz, simulation and exercise blocks before the page script fills them in
site-quiz-fallback = This quiz is graded on the server: <a href="/login">log in</a> to take it here.
site-sandbox-fallback = This simulation runs on the server: <a href="/login">log in</a> to start it here.
site-exercise-minutes = Suggested time: { $n } min · graded by an instructor on five criteria
site-exercise-fallback = <a href="/login">Log in</a> to submit your answer here; once an instructor has graded it, you will see the feedback here.

## A review of a graded attempt
quiz-true = True
quiz-false = False

## Simulation decisions the engine refuses
sandbox-no-such-decision = Round { $round }: this round has no decision "{ $decision }"
sandbox-decision-missing = Round { $round }: the decision "{ $decision }" is missing
sandbox-not-an-option = Round { $round }: "{ $choice }" is not an option for "{ $decision }" in this round
sandbox-not-an-allocation-option = Round { $round }: "{ $option }" is not an option of "{ $decision }"
sandbox-amount-missing = Round { $round }: "{ $decision }" needs an amount for "{ $option }"
sandbox-amount-out-of-range = Round { $round }: { $option } must be between { $min } and { $max }; got { $value }
sandbox-amount-not-a-multiple = Round { $round }: { $option } must be a multiple of { $step }; got { $value }
sandbox-allocation-not-exact = Round { $round }: { $decision } must add up to exactly { $total }; it is { $sum }
sandbox-allocation-over-total = Round { $round }: { $decision } adds up to { $sum }, more than the { $total } available
sandbox-choose-one-option = Round { $round }: choose one option for "{ $decision }"
sandbox-amount-for-each-option = Round { $round }: "{ $decision }" needs an amount for each option
