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
