# The learner's server pages: login, account, certificate, verify, transcript, attempt, exam.
