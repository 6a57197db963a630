# API and page errors. Each id is also the error's stable code (with _ for -).

# A text not yet given its own message.
plain = { $text }
login-required = Please log in first.
wrong-credentials = Wrong username or password.
forbidden = Your role may not do this.
csrf = The page's security token is missing or out of date: reload the page and try again.
exam-password-required = Enter the exam's password.
internal-error = Something went wrong on the server. Please try again later.
request-too-large = The request is too large.
unsupported-media-type = This kind of request body is not accepted ({ $detail }).
invalid-request = The request is not in the expected form ({ $detail }).
invalid-json = The request body is not valid JSON ({ $detail }).
invalid-path = The address is not valid ({ $detail }).
invalid-query = The query string is not valid ({ $detail }).
method-not-allowed = This method is not allowed here.
request-timeout = The request took too long. Please try again.
not-found = Not found.
request-refused = The request cannot be handled ({ $detail }).
too-many-logins = Too many failed logins. Try again in { $minutes ->
    [one] a minute
   *[other] { $minutes } minutes
}.

## Team sandbox sessions
team-session-not-found = No such team session
team-round-not-open = That round is not open: wait for the instructor to open it, or reload
team-round-submitted = Your team has already submitted this round
team-decision-locked = This decision has been submitted by its role and can no longer change this round
team-count-bad = Cannot make { $teams } teams from { $learners } learners
team-csv-bad-line = Line { $line }: write "username,team[,role;role][,captain]"
team-csv-unknown-learner = Line { $line }: no learner "{ $user }" in this cohort
team-csv-unknown-role = Line { $line }: the scenario has no role "{ $role }"
team-count-market = This market is played by { $least } to { $most } teams; the teams formed are { $teams }
team-no-learners = No learners to form teams from: check the cohort
team-default-name = Team { $n }
team-session-wrong-state = Not possible while the session is "{ $status }"
team-decision-not-yours = "{ $decision }" belongs to another role in your team
team-captain-only = Only the team's captain can submit the round for the team
team-roles-assigned = The instructor assigns roles in this session
team-no-such-role = The scenario has no role "{ $role }"
team-no-such-team = There is no team { $team }
team-what-if-round = Round { $round } has not been played
team-rubric-bad = Give { $count } scores, each from 1 to 5
team-form-bad = Say how to form teams: "random" with "teams", "department", or "csv" with "csv"
team-control-bad = The action must be open, extend, pause, resume or close
team-size-bad = Team "{ $team }" would have { $size } members; this scenario takes { $least } to { $most } per team
team-no-such-learner = There is no learner with id { $user }
team-csv-twice = Line { $line }: "{ $user }" is already in a team above
