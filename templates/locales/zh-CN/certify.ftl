# Certificates: the certificate and verify pages, the PDF, the signed credential's narrative, progress labels, reminders, CSV import.

## The printable certificate page
cert-certify-that = 兹证明
cert-completed = 已完成「{ $track }」{ $level }的全部考核要求，特发此证。
cert-revoked-on = 本证书已于 { $date } 撤销
cert-expired-on = 本证书已于 { $date } 过期
cert-suspended-on = 本证书已于 { $date } 暂停
cert-issued = 颁发日期
cert-valid-until = 有效期至
cert-no-expiry = 长期有效
cert-id = 证书编号
cert-verify-online = 在线验证
cert-scan-to-verify = 扫码验证
cert-print = 打印证书
cert-download-pdf = 下载 PDF
cert-add-to-linkedin = 添加到领英（LinkedIn）档案
cert-unknown-title = 查无此证书
cert-unknown-message = 这个编号不是本系统颁发的证书。

## Certificate errors (API codes)
cert-not-found = 没有这张证书
cert-revoked = 证书已被撤销
cert-no-such-status-list = 没有这个状态列表
cert-revoke-reason-required = 撤销需要写明原因（最多 500 字）
cert-suspend-reason-required = 暂停需要写明原因（最多 500 字）
cert-ids-count = 请列出 1～10000 个证书编号
cert-unknown-ids-none-revoked = 没有这些证书，未撤销任何证书：{ $ids }
cert-unknown-ids-none-changed = 没有这些证书，未做任何更改：{ $ids }

## The signed credential: its criteria.narrative joins the level's requirements with this
cert-criteria-separator = ；

## The default rubric: the five dimensions and the four bands
cert-dimension-knowledge = 知识掌握
cert-dimension-problem-solving = 问题解决
cert-dimension-innovation = 创新思维
cert-dimension-teamwork = 团队协作
cert-dimension-communication = 表达沟通
cert-band-excellent = 出色：超出要求，可作为范例
cert-band-good = 良好：完整、准确，有少量可改进之处
cert-band-pass = 合格：基本达到要求，有明显不足
cert-band-fail = 未达标：缺失关键内容或存在明显错误

## The public verification page
verify-title = 证书验证
verify-valid = 有效证书
verify-expired = 证书已过期
verify-suspended = 证书已暂停
verify-revoked = 证书已撤销
verify-holder = 持证人
verify-certificate = 证书
verify-renewed-on = （{ $date } 续期）
verify-revoked-date = 撤销日期
verify-suspended-date = 暂停日期
verify-source = 来源
verify-imported = 由人力资源部从原有记录导入
verify-expired-note = 这张证书的有效期已过。持证人完成续证要求后，同一编号会恢复有效。
verify-suspended-note = 颁发机构已暂停这张证书，在恢复之前它不作为有效证书。
# The issuer note, around <code>DID</code>, <code>credentialStatus</code> and <code>/api/status/lists/…</code>.
verify-issuer-pin = 颁发机构：{ $issuer }。离线核验签名凭证时请固定颁发者标识
verify-status-list-before = ；撤销与暂停状态公布在签名凭证
verify-status-list-middle = 所指的状态列表（
verify-status-list-after = ）中，任何符合 W3C 标准的验证工具都可核验。
# An unknown id, around <code>ID</code>.
verify-unknown-before = 编号
verify-unknown-after = 不是本系统颁发的证书。请核对编号，或向持证人索取证书链接。

## The PDF certificate
pdf-document-title = 证书 { $id } — { $holder }
pdf-heading = 证书
pdf-subheading = CERTIFICATE
pdf-certify-that = 兹证明
pdf-completed = 已完成全部考核要求，获得
pdf-id-line = 证书编号  { $id }
pdf-issued-line = 颁发日期  { $date }
pdf-valid-until-line = 有效期至  { $date }
pdf-no-expiry = 长期有效
pdf-scan-to-verify = 扫码验证
pdf-status-expired = 已过期
pdf-status-suspended = 已暂停
pdf-status-revoked = 已撤销
pdf-no-font = 服务器上没有可用的中文字体，无法生成 PDF；请安装 fonts-noto-cjk 或设置 CERTBOOK_PDF_FONT

## Progress toward a level: one label per requirement
progress-quiz = 测验「{ $title }」≥ { $min }%
progress-scenario = 沙盘「{ $title }」≥ { $min } 分
progress-team-scenario = 团队推演「{ $title }」达到 { $min } 分
progress-exercise = 练习「{ $title }」评分 ≥ { $min }
progress-read = 读完「{ $title }」（{ $done }/{ $total } 课）
# A reading requirement as the signed credential's criteria name it (no count).
progress-read-all = 读完「{ $title }」
progress-unknown-lesson = 没有这一课：{ $lesson }

## Expiry reminder emails
remind-subject = 【{ $issuer }】您的「{ $level }」证书将于 { $day } 到期
remind-no-renewal = 该等级无法在线续证，请联系人力资源部门重新认证。
remind-renew-by = 在到期前完成以下续证要求，证书编号不变、有效期自动延长：
remind-body =
    { $holder }，您好：

    您持有的「{ $level }」证书（编号 { $id }）将于 { $day } 到期，还剩 { $days } 天。

    { $how }

    查看进度与续证要求：{ $url }

    —— { $issuer }
    (Your certificate { $id } expires on { $day }; renew it at { $url }.)

## HR's CSV import of earlier certificates: why a row is refused
import-row = 第 { $line } 行：{ $reason }
import-unreadable-header = 无法读取表头：{ $error }
import-header-columns = 表头须包含 learner、level、issued 列，格式为 `{ $header }`（expires、note 可留空）
import-unreadable-row = 无法读取此行：{ $error }
import-too-many-rows = 一次最多导入 { $max } 行
import-learner-empty = 缺少学员账号
import-unknown-level = 没有等级「{ $level }」，可用的等级：{ $known }
import-issued-not-a-date = 发证日期「{ $issued }」应为 YYYY-MM-DD
import-issued-in-future = 发证日期 { $issued } 在未来
import-expires-before-issued = 到期日 { $expires } 不晚于发证日期
import-expires-not-a-date = 到期日「{ $expires }」应为 YYYY-MM-DD 或留空
import-note-too-long = 备注超过 { $max } 字
import-duplicate-row = 与第 { $first } 行重复：同一学员同一等级
import-no-rows = 文件中没有数据行
