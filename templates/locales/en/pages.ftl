# The learner's server pages: login, account, layout, errors; learner quiz and sandbox runs.

## Dates
date-long = { $day } { $month_name } { $year }

## Layout (the header of every server page)
layout-my-progress = My progress
layout-grading = Grading
layout-analysis = Question analysis
layout-build = Course build
layout-learners = Learners
layout-certificates = Certificates
layout-log-out = Log out

## Roles
role-learner = Learner
role-instructor = Instructor
role-hr = HR
role-admin = Administrator

## Login
login-title = Log in
login-username = Username
login-password = Password
login-submit = Log in
login-form-expired = The login form has expired. Please submit it again.

## Error pages
error-page-home = Back to the course home page
pages-forbidden-title = Access denied
pages-not-served-title = Page not found
pages-not-served = This server answers the API and its own pages only; the course site is served by the front web server

## The learner's account page
account-title = My progress
account-user-role = { $name } ({ $role })
account-export = Download all my data (JSON)
account-reminders-heading = Certificate expiry reminders
account-reminder-your = Your{" "}
account-reminder-expired = {" "}certificate ({ $certificate }) expired on { $date }.
account-reminder-expiring = {" "}certificate ({ $certificate }) expires on { $date }. Days left: { $days }.
account-renew-by = To renew:{" "}
account-renew-separator = ;{" "}
account-renew-after = . Your certificate keeps its number and its validity is extended.
account-renew-offline = This level cannot be renewed online: please contact HR.
account-certificates-heading = My certificates
account-certificate-number = No.
account-status-revoked = Revoked
account-status-expired = Expired
account-status-suspended = Suspended
account-status-valid = Valid
account-valid-until = {" "}(valid until { $date })
account-print = Print certificate
account-verify = Verification page
account-credential = Download signed credential
account-track-progress = { $track }: your progress
account-level-held = Earned
account-level-met = Requirements met
account-level-not-met = Not met yet
account-level-needs-previous = You need the previous level's certificate first.
account-requirement-current = {" "}(currently { $value })
account-chart-modules = Reading progress by module
account-chart-history = Quiz scores over time
account-chart-radar = Skills by dimension (average of graded exercises)
account-quizzes-heading = Quiz results
account-quiz = Quiz
account-quiz-attempts = Attempts
account-quiz-best = Best score
account-quiz-status = Status
account-quiz-passed = Passed
account-quiz-not-passed = Not passed
account-no-quizzes = No attempts yet. Open any lesson and answer the quiz at the bottom of the page.
account-runs-heading = Simulations
account-run-scenario = Scenario
account-run-score = Score
account-run-record = Run record
account-run-download = Download

## Accounts (the command line and the demo accounts)
account-role-unknown = Unknown role `{ $role }`: use learner, instructor, hr or admin
account-username-length = The user name must be 1 to 64 characters
account-password-too-short = The password must be at least 8 characters
account-email-invalid = `{ $email }` is not an email address
account-demo-learner = Demo learner
account-demo-learner2 = Demo learner 2
account-demo-learner3 = Demo learner 3
account-demo-instructor = Demo instructor
account-demo-hr = Demo HR
account-demo-admin = Demo administrator

## An attempt as staff review it
attempt-title = Attempt details
attempt-transcript-link = Transcript of { $name }
attempt-learner = Learner { $name } ({ $username }){" "}
attempt-id = Attempt
attempt-started = Started { $date }
attempt-score = Score { $percent }%
attempt-passed = {" "}(passed)
attempt-failed = {" "}(not passed)
attempt-note = Each question lists its options in the order this attempt showed them (the letters are the ones the learner saw), marking the learner's choice and the correct answer; numeric questions show the numbers this attempt drew.
attempt-correct = Correct
attempt-wrong = Wrong
attempt-points = { $awarded } / { $points } points
attempt-chosen = learner's choice
attempt-key = correct answer
attempt-given = Learner's answer: { $answer }
attempt-given-blank = Learner's answer: none
attempt-key-answer = Correct answer: { $answer }
attempt-explanation = Explanation: { $text }
attempt-not-graded = This attempt has not been graded yet, so there are no questions to review.

## Quiz and exam attempt errors (each id is also the API's error code)
quiz-not-found = No such quiz: { $quiz }
quiz-address-refused = This quiz can only be taken from certain networks, and your address { $address } is not in one of them
quiz-not-open-yet = The quiz is not open yet. It opens at { $opens }
quiz-closed = The quiz closed at { $closes }
quiz-no-attempts-left = No attempts left (you have used { $used })
quiz-retake-not-yet = The wait after your last sitting is not over yet. You can retake the exam from { $at }
quiz-override-time-invalid = `{ $field }` is not an RFC 3339 date-time with a time zone (for example 2026-03-01T09:00:00+08:00)
exam-attempt-not-found = No such attempt
exam-attempt-cannot-abandon = An exam attempt cannot be abandoned: submit it within the time limit
exam-attempt-ended = This attempt has already ended
exam-attempt-ended-cannot-save = This attempt has already ended, so nothing more can be saved
exam-attempt-closed-not-graded = The quiz has closed: your answers were stored but not graded, and the attempt counts as it was last saved before the close
exam-attempt-time-up = Time is up: the attempt counts as it was last saved, and this submission is not graded
exam-attempt-going-back = In this quiz you answer questions in order and cannot go back to a question you have answered: { $question }
exam-attempt-skipping = In this quiz you answer questions in order, and you have not reached this question yet: { $question }
exam-attempt-not-sequential = This quiz does not show one question at a time
exam-attempt-other-device = This attempt is in progress on another device. Ask an instructor to release it

## Answers that cannot be graded
quiz-answer-extra-question = Question `{ $question }` is not part of this attempt
quiz-answer-question-gone = Question `{ $question }` is no longer in quiz `{ $quiz }`
quiz-answer-variant-failed = Question `{ $question }` cannot be drawn: { $detail }
quiz-answer-not-one-letter = The answer to `{ $question }` must be one letter
quiz-answer-not-letter = The answer to `{ $question }` must be a letter from A to { $last }
quiz-answer-not-letter-list = The answer to `{ $question }` must be a list of letters
quiz-answer-not-letters = The answer to `{ $question }` must be letters from A to { $last }
quiz-answer-not-bool = The answer to `{ $question }` must be true or false
quiz-answer-not-text = The answer to `{ $question }` must be text
quiz-answer-not-number = The answer to `{ $question }` must be a number

## Sandbox run errors
run-scenario-not-found = No such scenario: { $scenario }
run-not-found = No such run
run-round-already-played = Round { $round } has already been submitted
run-scenario-changed-version = The scenario has changed (this run is on version { $run_version }, the current one is { $current_version }). Please start again
run-scenario-changed = The scenario has changed. Please start again
run-no-runs-left = No runs left (you have used { $used })
run-over = This run is over
run-round-out-of-order = Submit round { $expected } next

## Team sessions: the judges' rubric
team-rubric-knowledge = Knowledge
team-rubric-problem-solving = Problem solving
team-rubric-innovation = Innovative thinking
team-rubric-teamwork = Teamwork
team-rubric-communication = Presentation and communication

## Team sessions (pages)
layout-team-sessions = Team sessions
teams-title = Team sessions
teams-heading = Team sandbox sessions
teams-session = Session
teams-scenario = Scenario
teams-status = Status
teams-rounds-played = Rounds played
teams-status-name = { $status ->
    [ready] between rounds
    [open] round open
    [paused] paused
    [finished] finished
   *[other] { $status }
}
teams-none = No team sessions yet.
teams-create = New session
teams-title-field = Title (e.g. Friday challenge)
teams-cohort = Cohort (empty: every learner)
teams-form = Forming teams
teams-form-random = At random, into this many teams:
teams-count = Number of teams
teams-form-department = One team per department
teams-form-csv = From a list: one line per learner, "username,team[,role;role][,captain]"
teams-csv = List
teams-pick-roles = Learners pick their own roles
teams-create-button = Create session
teams-loading = Loading the session…
teams-not-found-title = Session not found
teamjs-round = Round { $n } of { $rounds }
teamjs-status-ready = Between rounds: waiting for the instructor to open the next one.
teamjs-status-open = Round open.
teamjs-status-paused = Paused by the instructor.
teamjs-status-finished = The session is over.
teamjs-time-left = Time left: { $time }
teamjs-your-team = Your team: { $team }
teamjs-your-roles = Your roles: { $roles }
teamjs-no-roles = no role yet
teamjs-captain = captain
teamjs-decisions = This round's decisions
teamjs-owned-by = Decided by { $role }
teamjs-drafted-by = Draft by { $name }
teamjs-submitted = submitted
teamjs-submit-mine = Submit my decisions
teamjs-confirm = Submit the round for the team
teamjs-team-submitted = Your team has submitted this round. Waiting for the other teams.
teamjs-leaderboard = Leaderboard
teamjs-team = Team
teamjs-after-round = After round { $n }
teamjs-members = Members
teamjs-in = in
teamjs-waiting = waiting
teamjs-defaulted = defaults played in round { $rounds }
teamjs-state = Our numbers
teamjs-reports = What happened
teamjs-result = Final score: { $score }
teamjs-console = Run the session
teamjs-open = Open the next round
teamjs-minutes = Minutes
teamjs-extend = Extend
teamjs-pause = Pause
teamjs-resume = Resume
teamjs-close = Close the round now
teamjs-market-report = Market report after round { $n }
teamjs-debrief = Debrief: every team across the rounds
teamjs-what-if = What if…
teamjs-what-if-help = Change one team's decision in one round; the whole market is recomputed beside the real session. Nothing is stored.
teamjs-what-if-run = Recompute
teamjs-real = As played
teamjs-changed = With the change
teamjs-judging = Judging the presentations
teamjs-comment = Comment
teamjs-best = Best team
teamjs-save-judging = Save scores
teamjs-score = Score
teamjs-total = Total
teamjs-saved = Saved.
teamjs-error = Not done: { $error }
teamjs-roles-pick = Pick your roles
teamjs-save-roles = Save roles
teamjs-round-col = Round
teamjs-allocated = { $sum } of { $total } allocated
teamjs-decision = Decision
teamjs-value = Value
teamjs-member-captain = { $name } (captain)
teamjs-list-sep = {", "}
teamjs-member = Member
teamjs-assign = Save
transcript-team-sessions = Team sessions
transcript-team-session = Session
transcript-team = Team
transcript-judged = Judged (of 25)
teamjs-move = Teams and roles
