# Certificates: the certificate and verify pages, the PDF, the signed credential's narrative, progress labels, reminders, CSV import.

## The printable certificate page
cert-certify-that = This is to certify that
cert-completed = has met every assessment requirement for { $level } ({ $track }) and is awarded this certificate.
cert-revoked-on = This certificate was revoked on { $date }.
cert-expired-on = This certificate expired on { $date }.
cert-suspended-on = This certificate was suspended on { $date }.
cert-issued = Issued
cert-valid-until = Valid until
cert-no-expiry = No expiry
cert-id = Certificate ID
cert-verify-online = Verify online
cert-scan-to-verify = Scan to verify
cert-print = Print certificate
cert-download-pdf = Download PDF
cert-add-to-linkedin = Add to LinkedIn profile
cert-unknown-title = Certificate not found
cert-unknown-message = This ID is not a certificate issued here.

## Certificate errors (API codes)
cert-not-found = No such certificate.
cert-revoked = This certificate has been revoked.
cert-no-such-status-list = No such status list.
cert-revoke-reason-required = Give a reason for the revocation (at most 500 characters).
cert-suspend-reason-required = Give a reason for the suspension (at most 500 characters).
cert-ids-count = List between 1 and 10,000 certificate IDs.
cert-unknown-ids-none-revoked = No certificate was revoked: these IDs do not exist: { $ids }
cert-unknown-ids-none-changed = Nothing was changed: these IDs do not exist: { $ids }

## The signed credential: its criteria.narrative joins the level's requirements with this
cert-criteria-separator = {"; "}

## The default rubric: the five dimensions and the four bands
cert-dimension-knowledge = Knowledge
cert-dimension-problem-solving = Problem solving
cert-dimension-innovation = Innovation
cert-dimension-teamwork = Teamwork
cert-dimension-communication = Communication
cert-band-excellent = Excellent: goes beyond what was asked; a model answer
cert-band-good = Good: complete and accurate, with a little to improve
cert-band-pass = Pass: meets the brief on the whole, with clear gaps
cert-band-fail = Not yet: key content is missing or there are clear errors

## The public verification page
verify-title = Certificate verification
verify-valid = Valid certificate
verify-expired = Certificate expired
verify-suspended = Certificate suspended
verify-revoked = Certificate revoked
verify-holder = Holder
verify-certificate = Certificate
verify-renewed-on = {" "}(renewed { $date })
verify-revoked-date = Revoked on
verify-suspended-date = Suspended on
verify-source = Source
verify-imported = Imported by HR from earlier records
verify-expired-note = This certificate has expired. Once the holder meets the renewal requirements, the same ID is valid again.
verify-suspended-note = The issuer has suspended this certificate. It is not valid until it is reinstated.
# The issuer note, around <code>DID</code>, <code>credentialStatus</code> and <code>/api/status/lists/…</code>.
verify-issuer-pin = Issued by { $issuer }. To verify the signed credential offline, pin the issuer identifier
verify-status-list-before = . Revocation and suspension are published in the status list that the credential's
verify-status-list-middle = entry points to (
verify-status-list-after = ), which any W3C-conformant verifier can check.
# An unknown id, around <code>ID</code>.
verify-unknown-before = The ID
verify-unknown-after = is not a certificate issued here. Check the ID, or ask the holder for the link to their certificate.

## The PDF certificate
pdf-document-title = Certificate { $id } — { $holder }
pdf-heading = Certificate
pdf-subheading = OF ACHIEVEMENT
pdf-certify-that = This is to certify that
pdf-completed = has met every assessment requirement and is awarded
pdf-id-line = Certificate ID  { $id }
pdf-issued-line = Issued  { $date }
pdf-valid-until-line = Valid until  { $date }
pdf-no-expiry = No expiry
pdf-scan-to-verify = Scan to verify
pdf-status-expired = Expired
pdf-status-suspended = Suspended
pdf-status-revoked = Revoked
pdf-no-font = The server has no CJK font to set the PDF in: install fonts-noto-cjk or set CERTBOOK_PDF_FONT.

## Progress toward a level: one label per requirement
progress-quiz = Quiz “{ $title }”: at least { $min }%
progress-scenario = Simulation “{ $title }”: at least { $min ->
    [one] one point
   *[other] { $min } points
}
progress-team-scenario = Team session “{ $title }”: at least { $min ->
    [one] one point
   *[other] { $min } points
}
progress-exercise = Exercise “{ $title }”: graded at least { $min }
progress-read = Read “{ $title }” (lessons read: { $done }/{ $total })
# A reading requirement as the signed credential's criteria name it (no count).
progress-read-all = Read “{ $title }”
progress-unknown-lesson = No such lesson: { $lesson }

## Expiry reminder emails
remind-subject = { $issuer }: your “{ $level }” certificate expires on { $day }
remind-no-renewal = This level cannot be renewed online. Contact HR to be certified again.
remind-renew-by = Meet these renewal requirements before it expires and the certificate is extended, with the same ID:
remind-body =
    Hello { $holder },

    Your “{ $level }” certificate (ID { $id }) expires on { $day }. Days left: { $days }.

    { $how }

    Your progress and the renewal requirements: { $url }

    — { $issuer }

## HR's CSV import of earlier certificates: why a row is refused
import-row = Line { $line }: { $reason }
import-unreadable-header = The header cannot be read: { $error }
import-header-columns = The header must be `{ $header }` (expires and note may be left empty).
import-unreadable-row = This row cannot be read: { $error }
import-too-many-rows = At most { $max } rows can be imported at once.
import-learner-empty = The learner is missing.
import-unknown-level = Unknown level “{ $level }”: use one of { $known }.
import-issued-not-a-date = The issue date “{ $issued }” must be a date like 2025-03-01.
import-issued-in-future = The issue date { $issued } is in the future.
import-expires-before-issued = The expiry date { $expires } is not after the issue date.
import-expires-not-a-date = The expiry date “{ $expires }” must be a date like 2027-03-01, or empty.
import-note-too-long = The note is longer than { $max } characters.
import-duplicate-row = Same learner and level as line { $first }.
import-no-rows = The file has no rows to import.
