//! Printable certificates: a QR code as SVG and a one-page A4 landscape PDF.
//!
//! The PDF is produced with `krilla` (which embeds a subset of the given font,
//! TrueType collections included); text is laid out here with a simple
//! one-glyph-per-character mapping through the font's `cmap`, which is all that
//! CJK and plain Latin text need. Characters the font lacks are drawn as the
//! font's `.notdef` glyph rather than failing.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::i18n::Messages;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId as KGlyphId, KrillaGlyph};
use qrcode::{Color as QrColor, EcLevel, QrCode};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::FileRef;
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};

/// What a printed certificate shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printable {
    /// Learner display name, any Unicode incl. CJK, e.g. "张小明".
    pub holder: String,
    /// Certificate title, e.g. "中级数字精益运营师".
    pub title: String,
    /// Issuing organisation, e.g. "certbook 培训中心".
    pub organisation: String,
    /// Issue date, e.g. "2026-11-23".
    pub issued: String,
    /// Expiry date ("2028-11-23"), or `None` for a certificate without expiry.
    pub valid_until: Option<String>,
    /// Certificate id, e.g. "c-7f3a9b2e41d0".
    pub id: String,
    /// Public verification URL, encoded in the QR code and printed beneath it.
    pub verify_url: String,
    /// E.g. `Some("Revoked")`, in the course's language; printed prominently in red if present.
    pub status_note: Option<String>,
}

/// Font bytes (TrueType/OpenType, or a collection together with the face to use).
#[derive(Clone)]
pub struct FontData {
    pub bytes: Arc<Vec<u8>>,
    pub face_index: u32,
}

impl std::fmt::Debug for FontData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontData")
            .field("len", &self.bytes.len())
            .field("face_index", &self.face_index)
            .finish()
    }
}

/// Why a certificate could not be printed. A glyph missing from the font is not
/// an error: the font's `.notdef` glyph is drawn instead.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The font bytes are not a usable TrueType/OpenType font or collection face.
    #[error("font cannot be parsed (face index {face_index}): {reason}")]
    FontParse { face_index: u32, reason: String },
    /// The verification URL is too long to fit into a QR code.
    #[error("verify URL cannot be encoded as a QR code: {0}")]
    QrEncode(String),
    /// The PDF writer failed (e.g. the font could not be embedded).
    #[error("PDF generation failed: {0}")]
    Pdf(String),
}

// ---------------------------------------------------------------------------
// QR code
// ---------------------------------------------------------------------------

/// Quiet zone around the QR code, in modules.
const QR_QUIET: usize = 4;

/// QR module matrix (row-major, `true` = dark) and its width in modules, EC level M.
fn qr_matrix(text: &str) -> Result<(Vec<bool>, usize), qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let width = code.width();
    let dark = code.to_colors().into_iter().map(|c| c == QrColor::Dark).collect();
    Ok((dark, width))
}

/// Horizontal runs of dark modules: (x, y, len).
fn dark_runs(dark: &[bool], width: usize) -> Vec<(usize, usize, usize)> {
    let mut runs = Vec::new();
    for y in 0..width {
        let row = &dark[y * width..(y + 1) * width];
        let mut x = 0;
        while x < width {
            if row[x] {
                let start = x;
                while x < width && row[x] {
                    x += 1;
                }
                runs.push((start, y, x - start));
            } else {
                x += 1;
            }
        }
    }
    runs
}

/// An SVG (a complete `<svg>` element string, no XML prolog, viewBox set, black
/// modules on white with a 4-module quiet zone, `shape-rendering="crispEdges"`)
/// of a QR code (error correction level M) encoding `text`. Contains no script
/// or event handler. `width`/`height` attributes are set to `size_px` unless it
/// is 0.
///
/// If `text` is too long for any QR code (more than ~2.3 KB at level M), the
/// result is a blank white square of the same kind.
pub fn qr_svg(text: &str, size_px: u32) -> String {
    let (dark, width) = qr_matrix(text).unwrap_or_else(|_| (Vec::new(), 21));
    let total = width + 2 * QR_QUIET;
    let mut svg = String::with_capacity(64 + dark.len() * 4);
    svg.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"");
    if size_px > 0 {
        // Whole pixels per module: with crispEdges, fractional modules come out 3 and 4
        // pixels wide by turns, which some scanners cannot read.
        let px = (size_px as usize / total).max(2) * total;
        let _ = write!(svg, " width=\"{px}\" height=\"{px}\"");
    }
    let _ = write!(
        svg,
        " viewBox=\"0 0 {total} {total}\" shape-rendering=\"crispEdges\"><rect width=\"{total}\" height=\"{total}\" fill=\"#fff\"/>"
    );
    if !dark.is_empty() {
        svg.push_str("<path fill=\"#000\" d=\"");
        for (x, y, len) in dark_runs(&dark, width) {
            let _ = write!(svg, "M{} {}h{}v1h-{}z", x + QR_QUIET, y + QR_QUIET, len, len);
        }
        svg.push_str("\"/>");
    }
    svg.push_str("</svg>");
    svg
}

// ---------------------------------------------------------------------------
// Fonts
// ---------------------------------------------------------------------------

/// Family names (name IDs 1 and 16) of a face, all languages.
fn family_names(font: &FontRef<'_>) -> Vec<String> {
    [StringId::FAMILY_NAME, StringId::TYPOGRAPHIC_FAMILY_NAME]
        .into_iter()
        .flat_map(|id| font.localized_strings(id).map(|s| s.to_string()).collect::<Vec<_>>())
        .collect()
}

/// Checks that `bytes` holds a parseable face `face_index`.
fn check_face(bytes: &[u8], face_index: u32) -> Result<(), PrintError> {
    FontRef::from_index(bytes, face_index)
        .map(|_| ())
        .map_err(|e| PrintError::FontParse {
            face_index,
            reason: e.to_string(),
        })
}

/// Index of the first face whose family name equals `family` (if any).
fn face_with_family(bytes: &[u8], family: &str) -> Option<u32> {
    match FileRef::new(bytes).ok()? {
        FileRef::Font(f) => family_names(&f).iter().any(|n| n == family).then_some(0),
        FileRef::Collection(c) => (0..c.len()).find(|&i| c.get(i).is_ok_and(|f| family_names(&f).iter().any(|n| n == family))),
    }
}

/// Reads `path` and returns it as [`FontData`] if the face (`face_index`, or the
/// face named `family`, or 0) parses.
fn load_font(path: &str, face_index: Option<u32>, family: Option<&str>) -> Option<FontData> {
    let bytes = std::fs::read(path).ok()?;
    let face_index = face_index.or_else(|| family.and_then(|f| face_with_family(&bytes, f))).unwrap_or(0);
    check_face(&bytes, face_index).ok()?;
    Some(FontData {
        bytes: Arc::new(bytes),
        face_index,
    })
}

/// Well-known CJK font locations, with the family to pick inside a collection.
const WELL_KNOWN_FONTS: &[(&str, Option<&str>)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", Some("Noto Sans CJK SC")),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", Some("Noto Serif CJK SC")),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", Some("WenQuanYi Micro Hei")),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", Some("WenQuanYi Zen Hei")),
    ("/System/Library/Fonts/PingFang.ttc", Some("PingFang SC")),
    (r"C:\Windows\Fonts\msyh.ttc", Some("Microsoft YaHei")),
];

/// Splits an optional `#N` face-index suffix off a font path.
fn split_face_suffix(spec: &str) -> (&str, Option<u32>) {
    match spec.rsplit_once('#') {
        Some((path, n)) if !path.is_empty() => match n.parse::<u32>() {
            Ok(i) => (path, Some(i)),
            Err(_) => (spec, None),
        },
        _ => (spec, None),
    }
}

/// Looks for a CJK-capable font on this system: first the path in env var
/// `CERTBOOK_PDF_FONT` (optionally suffixed `#N` for a collection face index),
/// then well-known paths (Noto Sans/Serif CJK — face "… CJK SC", index 2 in the
/// Debian/Ubuntu `.ttc` files — Droid Sans Fallback, WenQuanYi, PingFang,
/// Microsoft YaHei). Returns the first that exists and parses.
pub fn find_cjk_font() -> Option<FontData> {
    if let Some(spec) = std::env::var_os("CERTBOOK_PDF_FONT") {
        let spec = spec.to_string_lossy();
        let spec = spec.trim();
        if !spec.is_empty() {
            let (path, index) = split_face_suffix(spec);
            if let Some(f) = load_font(path, index, None) {
                return Some(f);
            }
        }
    }
    WELL_KNOWN_FONTS.iter().find_map(|(path, family)| load_font(path, None, *family))
}

// ---------------------------------------------------------------------------
// Text layout
// ---------------------------------------------------------------------------

/// A face prepared both for krilla (embedding) and skrifa (metrics).
struct Face<'a> {
    krilla: Font,
    skrifa: FontRef<'a>,
    upem: f32,
}

impl<'a> Face<'a> {
    fn new(font: &'a FontData) -> Result<Self, PrintError> {
        let face_index = font.face_index;
        let skrifa = FontRef::from_index(font.bytes.as_slice(), face_index).map_err(|e| PrintError::FontParse {
            face_index,
            reason: e.to_string(),
        })?;
        let krilla = Font::new(font.bytes.clone().into(), face_index).ok_or_else(|| PrintError::FontParse {
            face_index,
            reason: "not a usable TrueType/OpenType face".into(),
        })?;
        let upem = f32::from(skrifa.metrics(Size::unscaled(), LocationRef::default()).units_per_em.max(1));
        Ok(Face { krilla, skrifa, upem })
    }

    /// One glyph per character (advances normalised to 1 em); missing glyphs map to `.notdef`.
    /// `tracking` is extra space after each glyph, in em.
    fn shape(&self, text: &str, tracking: f32) -> Vec<KrillaGlyph> {
        let cmap = self.skrifa.charmap();
        let metrics = self.skrifa.glyph_metrics(Size::unscaled(), LocationRef::default());
        text.char_indices()
            .map(|(i, ch)| {
                let ch = if ch.is_control() { ' ' } else { ch };
                let gid = cmap.map(ch).unwrap_or_default();
                let adv = metrics.advance_width(gid).unwrap_or(0.0) / self.upem + tracking;
                KrillaGlyph::new(KGlyphId::new(gid.to_u32()), adv, 0.0, 0.0, 0.0, i..i + ch.len_utf8(), None)
            })
            .collect()
    }
}

/// Width of shaped glyphs at `size` (without trailing tracking).
fn run_width(glyphs: &[KrillaGlyph], size: f32, tracking: f32) -> f32 {
    let em: f32 = glyphs.iter().map(|g| g.x_advance).sum();
    ((em - if glyphs.is_empty() { 0.0 } else { tracking }) * size).max(0.0)
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// A text-drawing request.
struct Text<'t> {
    text: &'t str,
    size: f32,
    /// Extra space between characters, in em.
    tracking: f32,
    /// The text shrinks (down to 4 pt) until it is at most this wide.
    max_width: f32,
    color: Rgb,
    /// Fake bold via an outline stroke of this width (pt), 0 for none.
    embolden: f32,
}

impl<'t> Text<'t> {
    fn new(text: &'t str, size: f32, max_width: f32) -> Self {
        Text {
            text,
            size,
            tracking: 0.0,
            max_width,
            color: INK,
            embolden: 0.0,
        }
    }
    /// Letter-spacing: as given for CJK and capitals, barely any for lowercase Latin
    /// (a spaced-out "Certificate" reads badly).
    fn tracking(mut self, em: f32) -> Self {
        self.tracking = if self.text.chars().any(|c| c.is_lowercase()) {
            em.min(0.04)
        } else {
            em
        };
        self
    }
    fn color(mut self, c: Rgb) -> Self {
        self.color = c;
        self
    }
    fn bold(mut self, w: f32) -> Self {
        self.embolden = w;
        self
    }
}

/// Draws one line of text with its baseline at `y`, anchored at `x` per `align`.
/// Returns (left, width, used font size).
fn draw_text(s: &mut Surface<'_>, face: &Face<'_>, t: Text<'_>, x: f32, y: f32, align: Align) -> (f32, f32, f32) {
    let glyphs = face.shape(t.text, t.tracking);
    let mut size = t.size;
    let mut width = run_width(&glyphs, size, t.tracking);
    if width > t.max_width && width > 0.0 {
        size = (size * t.max_width / width).max(4.0);
        width = run_width(&glyphs, size, t.tracking);
    }
    let left = match align {
        Align::Left => x,
        Align::Center => x - width / 2.0,
        Align::Right => x - width,
    };
    s.set_fill(Some(fill(t.color)));
    let emb = t.embolden * size / t.size;
    s.set_stroke((emb > 0.0).then(|| Stroke {
        paint: color(t.color).into(),
        width: emb,
        ..Stroke::default()
    }));
    s.draw_glyphs(Point::from_xy(left, y), &glyphs, face.krilla.clone(), t.text, size, false);
    s.set_stroke(None);
    (left, width, size)
}

// ---------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------

/// An sRGB colour.
type Rgb = (u8, u8, u8);

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 297.0 * MM;
const PAGE_H: f32 = 210.0 * MM;

const INK: Rgb = (0x1f, 0x1f, 0x1f);
const NAVY: Rgb = (0x1d, 0x3a, 0x6b);
const GOLD: Rgb = (0xb0, 0x8d, 0x3c);
const GREY: Rgb = (0x5a, 0x5a, 0x5a);
const RED: Rgb = (0xd0, 0x10, 0x10);
const BLACK: Rgb = (0, 0, 0);

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: color(c).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn stroke_rect(s: &mut Surface<'_>, r: Option<Rect>, width: f32, color: Rgb) {
    let Some(r) = r else { return };
    let mut pb = PathBuilder::new();
    pb.push_rect(r);
    stroke(s, pb, width, color);
}

fn hline(s: &mut Surface<'_>, x0: f32, x1: f32, y: f32, width: f32, color: Rgb) {
    let mut pb = PathBuilder::new();
    pb.move_to(x0, y);
    pb.line_to(x1, y);
    stroke(s, pb, width, color);
}

/// Strokes the built path (no fill).
fn stroke(s: &mut Surface<'_>, pb: PathBuilder, width: f32, color: Rgb) {
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(Some(Stroke {
            paint: self::color(color).into(),
            width,
            ..Stroke::default()
        }));
        s.draw_path(&path);
        s.set_stroke(None);
    }
}

/// Draws the QR code of `text` with its top-left module at (`x`, `y`), `side` points square
/// (modules only; the quiet zone lies outside and must be kept clear by the caller).
fn draw_qr(s: &mut Surface<'_>, text: &str, x: f32, y: f32, side: f32) -> Result<(), PrintError> {
    let (dark, width) = qr_matrix(text).map_err(|e| PrintError::QrEncode(e.to_string()))?;
    let m = side / width as f32;
    let mut pb = PathBuilder::new();
    for (cx, cy, len) in dark_runs(&dark, width) {
        if let Some(r) = Rect::from_xywh(x + cx as f32 * m, y + cy as f32 * m, len as f32 * m, m) {
            pb.push_rect(r);
        }
    }
    if let Some(path) = pb.finish() {
        s.set_stroke(None);
        s.set_fill(Some(fill(BLACK)));
        s.draw_path(&path);
    }
    Ok(())
}

/// One A4 landscape page PDF of the certificate, text in `font` (subset-embedded) and
/// its wording in `m`'s language, with the QR code of `verify_url` drawn as vector
/// rectangles and the URL printed beneath it (and clickable).
pub fn certificate_pdf(c: &Printable, font: &FontData, m: &Messages) -> Result<Vec<u8>, PrintError> {
    let face = Face::new(font)?;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(m.format("pdf-document-title", &[("id", &c.id), ("holder", &c.holder)]))
            .creator("certbook".to_string())
            .language(m.lang().tag().to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PrintError::Pdf("invalid page size".into()))?;
    let mut page = doc.start_page_with(settings);
    let cx = PAGE_W / 2.0;

    // QR geometry (bottom right): 35 mm of modules, quiet zone kept clear around it.
    let qr_side = 35.0 * MM;
    let qr_x = PAGE_W - 30.0 * MM - qr_side;
    let qr_y = PAGE_H - 30.0 * MM - qr_side;
    let url_baseline = qr_y + qr_side + 15.0 * MM;

    let mut s = page.surface();

    // Double border.
    stroke_rect(
        &mut s,
        Rect::from_ltrb(8.0 * MM, 8.0 * MM, PAGE_W - 8.0 * MM, PAGE_H - 8.0 * MM),
        2.2,
        NAVY,
    );
    stroke_rect(
        &mut s,
        Rect::from_ltrb(10.5 * MM, 10.5 * MM, PAGE_W - 10.5 * MM, PAGE_H - 10.5 * MM),
        0.7,
        GOLD,
    );

    let body_w = PAGE_W - 2.0 * 30.0 * MM;

    // Heading.
    draw_text(
        &mut s,
        &face,
        Text::new(&m.get("pdf-heading"), 46.0, body_w).tracking(0.6).color(NAVY).bold(1.0),
        cx,
        38.0 * MM,
        Align::Center,
    );
    draw_text(
        &mut s,
        &face,
        Text::new(&m.get("pdf-subheading"), 11.0, body_w).tracking(0.45).color(GOLD),
        cx,
        46.0 * MM,
        Align::Center,
    );
    hline(&mut s, cx - 30.0 * MM, cx + 30.0 * MM, 50.0 * MM, 0.6, GOLD);

    // Status note (e.g. revoked), top right, in a red frame.
    if let Some(note) = c.status_note.as_deref().filter(|n| !n.trim().is_empty()) {
        let right = PAGE_W - 24.0 * MM;
        let base = 36.0 * MM;
        let (left, w, size) = draw_text(
            &mut s,
            &face,
            Text::new(note, 26.0, 70.0 * MM).tracking(0.1).color(RED).bold(0.8),
            right,
            base,
            Align::Right,
        );
        let pad = size * 0.35;
        stroke_rect(
            &mut s,
            Rect::from_ltrb(left - pad, base - size * 0.88 - pad, left + w + pad, base + size * 0.12 + pad),
            1.6,
            RED,
        );
    }

    // Body.
    draw_text(
        &mut s,
        &face,
        Text::new(&m.get("pdf-certify-that"), 15.0, body_w).color(GREY),
        cx,
        68.0 * MM,
        Align::Center,
    );
    let (_, hw, _) = draw_text(
        &mut s,
        &face,
        Text::new(&c.holder, 34.0, body_w).color(INK).bold(0.6),
        cx,
        85.0 * MM,
        Align::Center,
    );
    let line_half = (hw / 2.0 + 12.0 * MM).clamp(35.0 * MM, body_w / 2.0);
    hline(&mut s, cx - line_half, cx + line_half, 89.5 * MM, 0.5, GOLD);
    draw_text(
        &mut s,
        &face,
        Text::new(&m.get("pdf-completed"), 15.0, body_w).color(GREY),
        cx,
        104.0 * MM,
        Align::Center,
    );
    draw_text(
        &mut s,
        &face,
        Text::new(&c.title, 28.0, body_w).color(NAVY).bold(0.5),
        cx,
        121.0 * MM,
        Align::Center,
    );
    draw_text(
        &mut s,
        &face,
        Text::new(&c.organisation, 15.0, body_w).color(INK),
        cx,
        137.0 * MM,
        Align::Center,
    );

    // Bottom-left details block.
    let bx = 26.0 * MM;
    let bw = qr_x - bx - 20.0 * MM;
    let valid = c.valid_until.clone().unwrap_or_else(|| m.get("pdf-no-expiry"));
    let lines = [
        m.format("pdf-id-line", &[("id", &c.id)]),
        m.format("pdf-issued-line", &[("date", &c.issued)]),
        m.format("pdf-valid-until-line", &[("date", &valid)]),
    ];
    for (i, line) in lines.iter().enumerate() {
        draw_text(
            &mut s,
            &face,
            Text::new(line, 11.0, bw).color(INK),
            bx,
            166.0 * MM + i as f32 * 7.0 * MM,
            Align::Left,
        );
    }

    // QR code with caption and URL.
    draw_qr(&mut s, &c.verify_url, qr_x, qr_y, qr_side)?;
    let qcx = qr_x + qr_side / 2.0;
    draw_text(
        &mut s,
        &face,
        Text::new(&m.get("pdf-scan-to-verify"), 9.0, qr_side).tracking(0.2).color(GREY),
        qcx,
        qr_y + qr_side + 7.5 * MM,
        Align::Center,
    );
    // The URL may be wider than the QR code: centre it under the code but keep it inside the border.
    let url_max = 95.0 * MM;
    let url = Text::new(&c.verify_url, 7.0, url_max).color(GREY);
    let url_w = run_width(&face.shape(url.text, 0.0), 7.0, 0.0).min(url_max);
    let url_right = (qcx + url_w / 2.0).min(PAGE_W - 13.0 * MM);
    let (ul, uw, us) = draw_text(&mut s, &face, url, url_right, url_baseline, Align::Right);
    s.finish();

    if let (Some(area), Some(text_area)) = (
        Rect::from_xywh(qr_x, qr_y, qr_side, qr_side),
        Rect::from_ltrb(ul, url_baseline - us, ul + uw, url_baseline + us * 0.25),
    ) {
        for r in [area, text_area] {
            let target = krilla::annotation::Target::Action(krilla::action::LinkAction::new(c.verify_url.clone()).into());
            page.add_annotation(krilla::annotation::LinkAnnotation::new(r, target).into());
        }
    }
    page.finish();

    doc.finish().map_err(|e| PrintError::Pdf(e.to_string()))
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Serialises tests that read or write `CERTBOOK_PDF_FONT`.
    static ENV_LOCK: Mutex<()> = Mutex::new(());

    fn locked_find_font() -> Option<FontData> {
        let _g = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        find_cjk_font()
    }

    pub(crate) fn sample(status: Option<&str>) -> Printable {
        Printable {
            holder: "张小明".into(),
            title: "中级数字精益运营师".into(),
            organisation: "certbook 培训中心".into(),
            issued: "2026-11-23".into(),
            valid_until: Some("2028-11-23".into()),
            id: "c-7f3a9b2e41d0".into(),
            verify_url: "https://train.example.com/verify/c-7f3a9b2e41d0".into(),
            status_note: status.map(str::to_string),
        }
    }

    /// Decodes every QR code found in a greyscale image.
    pub(crate) fn decode_grey(w: usize, h: usize, px: impl Fn(usize, usize) -> u8) -> Vec<String> {
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, px);
        img.detect_grids()
            .into_iter()
            .filter_map(|g| g.decode().ok().map(|(_, s)| s))
            .collect()
    }

    /// Counts `/Type /Page` objects (not `/Pages`) in a PDF.
    fn page_count(pdf: &[u8]) -> usize {
        let mut n = 0;
        for pat in [&b"/Type /Page"[..], &b"/Type/Page"[..]] {
            n += pdf
                .windows(pat.len() + 1)
                .filter(|w| w.starts_with(pat) && !w[pat.len()].is_ascii_alphanumeric())
                .count();
        }
        n
    }

    #[test]
    fn qr_svg_shape_and_roundtrip() {
        let url = "https://train.example.com/verify/c-7f3a9b2e41d0";
        let svg = qr_svg(url, 240);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("viewBox"));
        assert!(svg.contains("crispEdges"));
        // Whole pixels per module: the width is the largest multiple of the module count within 240.
        let total: usize = svg
            .split("viewBox=\"0 0 ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(svg.contains(&format!("width=\"{}\"", 240 / total * total)), "{svg}");
        assert!(!svg.to_ascii_lowercase().contains("<script"));
        assert!(!svg.to_ascii_lowercase().contains(" on"));
        assert!(svg.ends_with("</svg>"));

        // Rasterise the SVG's own path data (runs "M{x} {y}h{len}v1h-{len}z", quiet zone included)
        // at 6 px per module, then decode it.
        let total: usize = svg
            .split("viewBox=\"0 0 ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        let d = svg.split(" d=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
        let mut grid = vec![false; total * total];
        for seg in d.split('z').filter(|s| !s.is_empty()) {
            let (xy, rest) = seg.trim_start_matches('M').split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let len: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            grid[y * total + x..y * total + x + len].fill(true);
        }
        assert!(grid[..QR_QUIET * total].iter().all(|d| !d), "quiet zone must be empty");
        let scale = 6;
        let decoded = decode_grey(total * scale, total * scale, |x, y| {
            if grid[(y / scale) * total + x / scale] { 0 } else { 255 }
        });
        assert_eq!(decoded, vec![url.to_string()]);

        // viewBox is the module matrix plus the quiet zone on both sides.
        assert_eq!(total, qr_matrix(url).unwrap().1 + 2 * QR_QUIET);
        // Oversized input degrades to a blank code instead of panicking.
        let blank = qr_svg(&"x".repeat(5000), 0);
        assert!(blank.starts_with("<svg") && !blank.contains("<path") && !blank.contains("width=\"0\""));
    }

    #[test]
    fn certificate_pdf_with_system_font() {
        let Some(font) = locked_find_font() else {
            eprintln!("no CJK font found on this system; skipping certificate_pdf test");
            return;
        };
        let zh = Messages::builtin(crate::i18n::Lang::ZhCn);
        let plain = certificate_pdf(&sample(None), &font, &zh).unwrap();
        assert!(plain.starts_with(b"%PDF-"));
        assert!(plain.len() < 300 * 1024, "PDF is {} bytes", plain.len());
        assert_eq!(page_count(&plain), 1);

        let revoked = certificate_pdf(&sample(Some("已吊销")), &font, &zh).unwrap();
        assert!(revoked.starts_with(b"%PDF-"));
        assert_eq!(page_count(&revoked), 1);
        assert_ne!(plain, revoked);

        // Long names/titles, no expiry, characters missing from the font: still one page, no error.
        let mut long = sample(Some("已暂停"));
        long.holder = "阿卜杜热合曼·买买提依明·艾则孜·司马义·吐尔逊·热合曼·阿不都拉 🦀".repeat(2);
        long.title = "高级数字化精益运营与供应链协同管理综合能力认证（含跨境电商、智能制造与数据治理方向）".into();
        long.valid_until = None;
        let pdf = certificate_pdf(&long, &font, &zh).unwrap();
        assert_eq!(page_count(&pdf), 1);
        assert!(pdf.len() < 300 * 1024);
    }

    /// The wording comes from the messages: an English course's certificate has no Chinese.
    #[test]
    fn the_pdf_is_worded_in_the_messages_language() {
        let Some(font) = locked_find_font() else {
            eprintln!("no CJK font found on this system; skipping");
            return;
        };
        let text = |c: &Printable, lang| {
            let pdf = certificate_pdf(c, &font, &Messages::builtin(lang)).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("c.pdf");
            std::fs::write(&path, pdf).unwrap();
            let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().ok()?;
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        let en = Printable {
            holder: "Ann Lee".into(),
            title: "Starter".into(),
            organisation: "Example Academy".into(),
            status_note: Some(Messages::builtin(crate::i18n::Lang::En).get("pdf-status-revoked")),
            valid_until: None,
            ..sample(None)
        };
        let Some(en_text) = text(&en, crate::i18n::Lang::En) else {
            eprintln!("no pdftotext on this system; skipping");
            return;
        };
        assert!(
            !en_text
                .chars()
                .any(|c| ('\u{2e80}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)),
            "{en_text}"
        );
        // Letter-spaced capitals come out of pdftotext with spaces between the letters.
        let squeezed: String = en_text.split_whitespace().collect();
        for part in [
            "Certificate",
            "ACHIEVEMENT",
            "AnnLee",
            "Starter",
            "Revoked",
            "Noexpiry",
            "Scantoverify",
        ] {
            assert!(squeezed.contains(part), "{part} in {en_text}");
        }
        let zh_text = text(&sample(None), crate::i18n::Lang::ZhCn).unwrap();
        for part in ["兹证明", "张小明", "扫码验证", "有效期至"] {
            assert!(zh_text.contains(part), "{part} in {zh_text}");
        }
    }

    #[test]
    fn bad_font_is_an_error() {
        let font = FontData {
            bytes: Arc::new(b"definitely not a font".to_vec()),
            face_index: 0,
        };
        let err = certificate_pdf(&sample(None), &font, &Messages::builtin(crate::i18n::Lang::En)).unwrap_err();
        assert!(matches!(err, PrintError::FontParse { .. }), "{err}");
        assert!(err.to_string().contains("font cannot be parsed"));
    }

    /// All environment manipulation lives in this single test.
    #[test]
    fn find_cjk_font_env_override() {
        assert_eq!(split_face_suffix("/a/b.ttc#2"), ("/a/b.ttc", Some(2)));
        assert_eq!(split_face_suffix("/a/b.ttc"), ("/a/b.ttc", None));
        assert_eq!(split_face_suffix("/a/#x/b.ttf"), ("/a/#x/b.ttf", None));

        let _g = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let saved = std::env::var_os("CERTBOOK_PDF_FONT");
        // SAFETY (all set/remove_var below): the only test writing the environment; every other
        // reader in this crate's tests holds ENV_LOCK, which we hold too.
        unsafe { std::env::set_var("CERTBOOK_PDF_FONT", "/nonexistent/certbook/font.ttc#1") };
        let fallback = find_cjk_font();
        unsafe { std::env::remove_var("CERTBOOK_PDF_FONT") };
        let default = find_cjk_font();
        assert_eq!(
            fallback.as_ref().map(|f| (f.bytes.len(), f.face_index)),
            default.as_ref().map(|f| (f.bytes.len(), f.face_index))
        );

        if let Some(path) = WELL_KNOWN_FONTS
            .iter()
            .map(|(p, _)| *p)
            .find(|p| p.ends_with(".ttc") && std::path::Path::new(p).exists())
        {
            // An explicit face index is honoured.
            unsafe { std::env::set_var("CERTBOOK_PDF_FONT", format!("{path}#0")) };
            let f = find_cjk_font().expect("font from env");
            assert_eq!(f.face_index, 0);
            unsafe { std::env::remove_var("CERTBOOK_PDF_FONT") };
        }
        if std::path::Path::new(WELL_KNOWN_FONTS[0].0).exists() {
            let f = default.expect("noto sans cjk");
            let face = FontRef::from_index(f.bytes.as_slice(), f.face_index).unwrap();
            assert!(family_names(&face).iter().any(|n| n == "Noto Sans CJK SC"), "face {}", f.face_index);
        }

        if let Some(v) = saved {
            unsafe { std::env::set_var("CERTBOOK_PDF_FONT", v) };
        }
    }
}
