# The learner's server pages: login, account, layout, errors; learner quiz and sandbox runs.
