# Staff pages: grading, HR, transcript of a learner, attempt detail, certificate operations.

## Shared by the staff pages
staff-all = All
staff-filter = Filter
staff-cohort = Cohort
staff-department = Department
staff-level = Level
staff-username-paren = { " " }({ $username })
staff-export-certificates = Export certificates (CSV)
# Joins the items of a list (levels held, flags, questions).
staff-list-separator = ,{ " " }
staff-flag-too-easy = Too easy
staff-flag-too-hard = Too hard
staff-flag-negative-discrimination = Negative discrimination

## Charts
chart-funnel-title = Certification funnel (learners)
chart-learners-value = { $n }
chart-pass-rate-title = Pass rate by quiz
chart-no-scores = No scores yet

## HR: learner overview
hr-title = Learner overview
hr-from = From
hr-to = To
hr-learner-count-before = Learners:
hr-learner-count-after = — { $active } have started learning.
hr-export-learners = Export learners (CSV)
hr-levels-heading = Levels
hr-level-certified = Certified
hr-level-median-days = Median days to certify
hr-quizzes-heading = Quizzes
hr-quiz = Quiz
hr-quiz-learners = Learners
hr-pass-rate = Pass rate
hr-quiz-median-best = Median best score
hr-no-data = No data yet
hr-exam-settings = Exam settings and adjustments (extra time or attempts for a learner or cohort):{ " " }
hr-scenarios-heading = Scenarios
hr-scenario = Scenario
hr-scenario-finished = Finished
hr-scenario-pass-share = Share scoring ≥ { $score }
hr-scenario-median-best = Median best score
hr-learner-list-heading = Learners
hr-learner = Learner
hr-levels-held = Certificates held
hr-no-matching-learners = No learners match these filters
hr-list-limit = Showing at most { $limit } learners. Export the CSV for the full list.
hr-funnel-all = All learners
hr-funnel-started = Started learning
hr-dashboard-forbidden = Only HR and administrators can see the learner overview.
hr-filter-invalid = Invalid filter
hr-date-format = Dates must be written YYYY-MM-DD: { $date }
hr-no-such-learner = There is no such learner.
hr-no-such-learner-title = Learner not found
hr-transcript-forbidden = Only instructors, HR and administrators can see learner transcripts.
hr-attempt-forbidden = Only instructors, HR and administrators can see learners' attempts.
hr-attempt-title = Attempt details
hr-no-such-attempt-title = Attempt not found
hr-attempt-open = In progress
hr-attempt-graded = Graded
hr-attempt-expired = Timed out without an answer
hr-attempt-late = Submitted after closing (not scored)
hr-attempt-abandoned = Abandoned
# Joins the options of an answer (not an ordering question's).
hr-answer-separator = ;{ " " }

## A learner's transcript
transcript-title = Learner transcript
transcript-back = ← Back to the learner overview
transcript-heading = Transcript: { $name }
transcript-account-line = Username { $username } · Cohort { $cohort } · Department { $department }
# Statuses as stored; an unknown one shows as it is.
transcript-attempt-status = { $status ->
    [open] in progress
    [expired] time ran out
    [late] submitted late
    [abandoned] abandoned
   *[other] { $status }
}
transcript-run-status = { $status ->
    [open] in progress
    [finished] finished
    [abandoned] abandoned
   *[other] { $status }
}
transcript-exercise-status = { $status ->
    [submitted] awaiting grading
    [graded] graded
   *[other] { $status }
}
transcript-erased = This learner's personal data was erased at their request. Their certificates keep only what verification needs.
transcript-certificates = Certificates
transcript-valid = Valid
transcript-expired = Expired
transcript-suspended = Suspended
transcript-revoked = Revoked
transcript-valid-until = { " " }(valid until { $day })
transcript-imported = imported
transcript-no-certificates = No certificates yet.
transcript-quizzes = Quizzes
transcript-quiz = Quiz
transcript-attempts = Attempts
transcript-best = Best score
transcript-passed = Passed
transcript-recent = Recent attempts (open one to see each question)
transcript-yes = Yes
transcript-no = No
transcript-none = None yet
transcript-scenarios = Scenarios
transcript-scenario = Scenario
transcript-status = Status
transcript-score = Score
transcript-exercises = Exercises
transcript-exercise = Exercise
transcript-total = Total
transcript-revision = Revision
transcript-erase-heading = Erase personal data
transcript-erase-text = At the learner's own request under China's Personal Information Protection Law: their quizzes, scenarios, exercises, reading records and sign-in sessions are deleted, and the account is anonymised and can no longer sign in. Certificates keep only what verification needs: the holder's name, level, dates and status. The erasure is written to the audit log and cannot be undone.
transcript-erase-confirm-before = Type the learner's username
transcript-erase-confirm-after = to confirm
transcript-erase-button = Erase personal data

## Grading
grading-title = Grading
grading-heading = Exercises to grade
grading-learner = Learner
grading-exercise = Exercise
grading-revision-column = Revision
grading-submitted-column = Submitted
grading-chars = Characters
grading-revision = Revision { $n }
grading-queue-empty = No answers are waiting to be graded.
grading-forbidden = Only instructors can grade.
grading-no-such-submission-title = Submission not found
grading-no-such-submission-text = It may have been deleted, or the link is wrong.
grading-no-such-submission = There is no such submission.
grading-no-such-exercise = There is no exercise { $exercise }.
grading-answer-length = Answers must be { $min }–{ $max } characters long; this one has { $n }.
grading-already-graded = An answer that has been graded can no longer be changed.
grading-score-out-of-range = "{ $dimension }" ({ $id }) needs a score from 0 to 100.
grading-no-such-dimension = There is no rubric dimension `{ $dimension }`.
grading-feedback-too-long = The feedback is too long (at most { $max } characters).
grade-title = Grade
grade-back = ← Back to the grading queue
grade-learner = Learner: { $name }
grade-submitted = Submitted { $at }
grade-graded-total = Graded (total { $total })
grade-prompt = Task
grade-answer = The learner's answer
grade-heading = Score each of the five dimensions (0–100)
grade-weight = { " " }(weight { $weight })
grade-score = Score
grade-band = ≥ { $min }: { $text }
grade-feedback = Feedback for the learner
grade-update = Update grade
grade-submit = Submit grade
grade-pass-note = Pass mark: { $pass }. Once graded, the learner sees the score and your feedback with the exercise.

## Certificate operations
certops-title = Certificate management
certops-intro = Certificates expiring soon or recently expired, the import of earlier certifications, and certificate PDFs in bulk.
certops-ahead-label = Expiring in the next
certops-ahead-after = days,
certops-past-label = or expired in the last
certops-past-after = days
certops-holder = Holder
certops-certificate-id = Certificate no.
certops-expires = Expires
certops-days-left = Days left
certops-status = Status
certops-no-email-hint = No email address: the reminder shows only on the learner's own pages
certops-no-email = no email
certops-imported = (imported)
certops-expired = Expired
certops-valid = Valid
certops-none-expiring = No certificates expire in this period
certops-download-all = Download all valid certificates as PDFs (zip)
certops-download-expiring = Only those expiring within { $days } days
certops-import-heading = Import earlier certifications
certops-import-done = Certificates imported: { $count }.
certops-import-refused-intro = Nothing was imported. Correct these problems and submit again:
certops-import-help-before = One certificate per line, after the header line
certops-import-help-after = . Dates are written YYYY-MM-DD; an empty expiry date takes the level's validity period; a level may be given by its id or its name. Nothing is imported unless every line passes the checks, and imported certificates are marked "imported" in their evidence.
certops-import-file = Choose a CSV file
certops-import-paste = or paste its contents
certops-import-example-row = jsmith,intermediate,2025-03-01,,Spring 2025 in-person assessment
certops-import-submit = Check and import
certops-forbidden = Only HR and administrators can manage certificates.
certops-import-forbidden = Only HR and administrators can import certificates.
certops-erase-forbidden = Only administrators can erase a learner's personal data.
certops-not-erased-title = Not erased
certops-days-out-of-range = ahead and past may be at most { $max } days.
certops-expiring-within-out-of-range = expiring_within may be at most { $max } days.
certops-import-content-type = Send the file as text/csv.
certops-import-not-utf8 = The CSV must be encoded as UTF-8.
certops-import-refused = { $count ->
    [one] One row has a problem
   *[other] { $count } rows have problems
}; nothing was imported.
certops-import-no-track = The course has no certification track, so no certificates can be imported.
certops-import-no-such-learner = There is no learner account "{ $learner }".
certops-import-not-a-learner = "{ $learner }" is not a learner account.
certops-import-already-held = "{ $learner }" already holds this level (certificate { $certificate }).
certops-erase-no-such-learner = There is no such learner, or their data was already erased.
certops-erase-not-a-learner = Only learner accounts can be erased.
certops-erase-confirm-mismatch = Type the learner's username to confirm the erasure.
certops-erased-user-name = Erased user
certops-zip-none-match = No certificates match these filters.
certops-zip-too-many = { $count } certificates match, but one zip holds at most { $max }. Narrow the filters.
