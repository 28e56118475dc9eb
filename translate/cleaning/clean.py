"""MT-safe cleaning of Arabic news text for Opus-MT.

Two layers:

* :func:`normalize` -- character normalisation, line by line (newlines are kept).
  Light and reversible in meaning: it never unifies alef/hamza forms, never maps
  ى to ي or ة to ه, and never deletes a character it does not know.
* :func:`clean_article` -- normalisation plus boilerplate removal and paragraph
  structure.  Every piece of text it drops is returned in ``removed`` as
  ``{"kind": ..., "text": <original text>}``, so nothing is lost silently.

All boilerplate rules live in the single table :data:`RULES` below; rules of scope
``inline`` are procedural detectors in :mod:`translate.inline` (code, share bars, cookie
notices... glued inside a paragraph), and ``learned`` is what :mod:`translate.boilerplate`
learned to recur across one source's articles.

Signature (``CleanOptions().signature()``), one token per switch::

    clean:v4|nfkc|{dediac|diac:keep}|digits:{ascii|keep}|punct:{moses|keep}
        |{boiler|boiler:keep|boiler:-kind1,-kind2}[|letters:keep][|learned:<digest>]

Bump :data:`CLEANING_VERSION` whenever a rule or mapping changes output.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from arabic_digest.translate.cleaning.inline import AGENCIES, find_spans
from arabic_digest.translate.cleaning.inline import CREDIT_HEAD as _CREDIT_HEAD
from arabic_digest.translate.cleaning.inline import REPORT as _REPORT
from arabic_digest.translate.cleaning.spans import LearnedSet, Span
from sacremoses import MosesPunctNormalizer

CLEANING_VERSION = "v4"

__all__ = [
    "CLEANING_VERSION",
    "RULES",
    "CleanOptions",
    "CleanedArticle",
    "Rule",
    "clean_article",
    "normalize",
    "normalize_line",
]


# ---------------------------------------------------------------------------
# Options and signature
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanOptions:
    """Switches for single cleaning rules; all ``False`` is the default pipeline."""

    keep_diacritics: bool = False  # keep harakat (U+064B-U+0652, U+0670) and tatweel
    keep_digits: bool = False  # keep Eastern Arabic-Indic / Persian digits
    keep_punctuation: bool = False  # no Moses quote/dash/spacing normalisation
    keep_boilerplate: bool = False  # no boilerplate removal, no dateline extraction
    keep_letters: bool = False  # keep Persian/Urdu letter forms (ک ی ۔)
    keep_kinds: frozenset[str] = field(default_factory=frozenset)  # boilerplate kinds to keep
    # what recurs across one source's articles (translate.boilerplate), applied per source
    learned: LearnedSet | None = None

    def signature(self) -> str:
        """A string naming exactly what this cleaning does, for records and manifests.

        Default: ``clean:v4|nfkc|dediac|digits:ascii|punct:moses|boiler``; with a learned
        set, ``|learned:<digest>`` (the same inputs always learn the same set).
        """
        parts = [f"clean:{CLEANING_VERSION}", "nfkc"]
        parts.append("diac:keep" if self.keep_diacritics else "dediac")
        parts.append("digits:keep" if self.keep_digits else "digits:ascii")
        parts.append("punct:keep" if self.keep_punctuation else "punct:moses")
        if self.keep_boilerplate:
            parts.append("boiler:keep")
        elif self.keep_kinds:
            parts.append("boiler:" + ",".join("-" + k for k in sorted(self.keep_kinds)))
        else:
            parts.append("boiler")
        if self.keep_letters:
            parts.append("letters:keep")
        if self.learned is not None and not self.keep_boilerplate:
            parts.append(f"learned:{self.learned.digest()}")
        return "|".join(parts)


@dataclass
class CleanedArticle:
    title: str | None  # normalised title (None if none given)
    dateline: str | None
    paragraphs: list[str]  # normalised, non-empty, boilerplate removed
    removed: list[dict]  # {"kind": str, "text": str}
    # the kept lines of paragraphs that span several lines (scraped pages flattened with single
    # newlines): boilerplate learning counts them as units too, as CCNet counts lines
    lines: list[str] = field(default_factory=list)

    def learning_units(self) -> list[str]:
        """What translate.boilerplate counts for this article: paragraphs and inner lines."""
        return self.paragraphs + [ln for ln in self.lines if ln not in self.paragraphs]


# ---------------------------------------------------------------------------
# Character normalisation
# ---------------------------------------------------------------------------

# Zero-width and bidi controls: deleted, not turned into spaces.
_CONTROLS = (
    "\u200b\u200c\u200d\u200e\u200f"  # ZWSP ZWNJ ZWJ LRM RLM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u061c\ufeff\u2060\u00ad"  # ALM, BOM/ZWNBSP, WJ, soft hyphen
)
_CONTROL_RE = re.compile(f"[{_CONTROLS}]")
# Every other kind of space (after NFKC most are already U+0020) -> plain space.
_SPACE_RE = re.compile(r"[\t\u00a0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000]")
_MULTISPACE_RE = re.compile(r" {2,}")
# Line breaks of every kind; normalize() turns them all into "\n".
_LINEBREAK_RE = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
TATWEEL = "\u0640"
_DIAC_RE = re.compile(f"[{DIACRITICS}]")
_ARABIC_LETTER = "\u0620-\u063f\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06fa-\u06fc\u06ff"
# Tatweel touching a letter is decoration (deleted); a free-standing run is used as a dash.
_TATWEEL_ATTACHED_RE = re.compile(
    f"(?<=[{_ARABIC_LETTER}{DIACRITICS}]){TATWEEL}+|{TATWEEL}+(?=[{_ARABIC_LETTER}{DIACRITICS}])"
)
_TATWEEL_FREE_RE = re.compile(f"{TATWEEL}+")

# Persian/Urdu forms of Arabic letters.
_KEHEH_RE = re.compile("\u06a9")  # ک -> ك
# ی (Farsi yeh) inside a word -> ي ; word-final -> ى (its Arabic spelling there).
_FARSI_YEH_MEDIAL_RE = re.compile(
    f"\u06cc(?=[{DIACRITICS}{TATWEEL}]*[{_ARABIC_LETTER}])"
)
_FARSI_YEH_RE = re.compile("\u06cc")
_URDU_STOP_RE = re.compile("\u06d4")  # ۔ -> .

_DIGITS = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Eastern Arabic-Indic
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian
    }
)
_AR_DECIMAL_RE = re.compile(r"(?<=\d)\u066b(?=\d)")  # ٫ between digits -> .
_AR_THOUSANDS_RE = re.compile(r"(?<=\d)\u066c(?=\d)")  # ٬ between digits -> ,

# Only well-formed entities (with ';'), so "a=1&para=2" in a URL stays intact.
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# URLs and e-mails are shielded from punctuation normalisation. URLs are found first: an
# e-mail's domain pattern could otherwise swallow the scheme of a URL right after it
# ("x@y.com-http://...") and leave the rest of that URL to Moses on a second pass.
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _moses_substitutions() -> list[tuple[re.Pattern[str], str]]:
    """Moses' punctuation table (sacremoses), checked against Arabic text.

    Used as shipped except:
    * ``norm_numbers`` is off: it turns "81 10" (NBSP) into "81.10" in phone numbers,
    * quote/comma swapping is off (English-only rule),
    * its ") ," spacing fix-up also covers the Arabic ، ؛ ؟ (otherwise Moses'
      ") " padding would leave "(الناتو) ،").
    It leaves ، ؛ ؟ themselves untouched.
    """
    moses = MosesPunctNormalizer(lang="ar", penn=True, norm_quote_commas=False, norm_numbers=False)
    subs = []
    for pattern, repl in moses.substitutions:
        if pattern == r"\) ([.!:?;,])":
            pattern = r"\) ([.!:?;,،؛؟])"
        subs.append((re.compile(pattern), repl))
    return subs


_MOSES = _moses_substitutions()


def _unescape(line: str) -> str:
    for _ in range(4):  # "&amp;#8211;" needs two rounds; stop at a fixpoint
        new = _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), line)
        if new == line:
            break
        line = new
    return line


def _moses(text: str) -> str:
    # one Moses pass is not idempotent ("—:" -> " - :" -> " -:"): run to a fixpoint
    for _ in range(4):
        new = text
        for pattern, repl in _MOSES:
            new = pattern.sub(repl, new)
        if new == text:
            break
        text = new
    return text


def _shielded(text: str, pattern: re.Pattern[str], inner: Callable[[str], str]) -> str:
    """Apply `inner` to the text between matches of `pattern`, leaving the matches as they are."""
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(inner(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(inner(text[pos:]))
    return "".join(out)


def _punct(line: str) -> str:
    return _shielded(line, _URL_RE, lambda part: _shielded(part, _EMAIL_RE, _moses))


def normalize_line(line: str, options: CleanOptions = CleanOptions()) -> str:
    """Normalise one line (no line breaks inside); result is stripped."""
    line = _unescape(line)
    line = unicodedata.normalize("NFKC", line)
    line = _CONTROL_RE.sub("", line)
    line = _LINEBREAK_RE.sub(" ", line)  # entities such as &#10; may create breaks
    # deleting controls can let a combining mark reach its base: compose again
    line = unicodedata.normalize("NFKC", line)
    line = _SPACE_RE.sub(" ", line)
    if not options.keep_diacritics:
        line = _DIAC_RE.sub("", line)
        line = _TATWEEL_ATTACHED_RE.sub("", line)
        line = _TATWEEL_FREE_RE.sub("-", line)
    if not options.keep_letters:
        line = _KEHEH_RE.sub("\u0643", line)
        line = _FARSI_YEH_MEDIAL_RE.sub("\u064a", line)
        line = _FARSI_YEH_RE.sub("\u0649", line)
        line = _URDU_STOP_RE.sub(".", line)
    if not options.keep_digits:
        line = line.translate(_DIGITS)
        line = _AR_DECIMAL_RE.sub(".", line)
        line = _AR_THOUSANDS_RE.sub(",", line)
    if not options.keep_punctuation:
        line = _punct(line)
    line = _MULTISPACE_RE.sub(" ", line)
    return line.strip()


def _split_lines(text: str) -> list[str]:
    return _LINEBREAK_RE.split(text)


def normalize(text: str, options: CleanOptions = CleanOptions()) -> str:
    """Normalise a text; line breaks are kept (all kinds become "\\n")."""
    return "\n".join(normalize_line(line, options) for line in _split_lines(text))


# ---------------------------------------------------------------------------
# Boilerplate rules: ONE table
# ---------------------------------------------------------------------------
#
# Patterns run on *normalised* text (NFKC, no diacritics/tatweel, ASCII digits,
# Moses quotes: " ' -).  Scopes:
#   title  -- a line/paragraph equal to the title (procedural, see _is_title)
#   first  -- fullmatch on the first body line that has not been removed yet
#   line   -- fullmatch on any line, and on any (joined) paragraph
#   last   -- fullmatch on the last body line(s)
#   follow -- fullmatch on lines right after a line removed by a rule with opens_block
#   before -- fullmatch on the line right before one removed by a rule with takes_previous
#   head   -- prefix of the first paragraph(s): moved to ``dateline`` (not removed)
#   tail   -- suffix of a paragraph (pattern ends with $)
#   span   -- anywhere inside a paragraph


@dataclass(frozen=True)
class Rule:
    kind: str
    scope: str
    pattern: str | None
    example: str
    opens_block: bool = False
    takes_previous: bool = False
    note: str = ""


# -- shared pieces ----------------------------------------------------------
_W = r"[^\s.!?؟،؛:]+"  # a word without sentence punctuation
_NAME = r"[^\W\d_]+"  # a word of letters only
_AG = rf"(?<!\w)(?:{AGENCIES})(?!\w)"
MONTHS = (
    r"يناير|فبراير|مارس|أبريل|ابريل|إبريل|مايو|يونيو|يونيه|يوليو|يوليه|أغسطس|اغسطس|"
    r"سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر|كانون الثاني|كانون الأول|شباط|آذار|نيسان|أيار|"
    r"حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|جانفي|فيفري|أفريل|ماي|جوان|جويلية|"
    r"أوت|محرم|صفر|ربيع الأول|ربيع الآخر|ربيع الثاني|جمادى الأولى|جمادى الآخرة|"
    r"جمادى الثانية|رجب|شعبان|رمضان|شوال|ذو القعدة|ذي القعدة|ذو الحجة|ذي الحجة"
)
_DATE = rf"\d{{1,2}} ?(?:{MONTHS})(?: ?/ ?(?:{MONTHS}))? ?\d{{4}}(?: ?(?:ه|هـ|م|ء)(?!\w))?"
_PLACE = r"(?:[^\s()\"'.!?؟:\-][^()\"'.!?؟:\-]{0,50}?\s?)"  # "دبي، الإمارات العربية المتحدة "
_TIMESTAMP = r"\d{1,2}:\d{2} ?(?:ت ?م|ت ?غ|جمت|GMT|بتوقيت \S+)(?: \d{1,2}:\d{2} ?(?:ت ?غ|جمت|GMT))?"
_MARKER_MARKED = (
    r"\( ?(?:يتبع|تستمر|تتمة|تتبع|انتهى|النهاية)\.? ?\)|/{1,2} ?انتهى ?/{1,2}|- ?انتهى ?-"
)
_MARKER = rf"{_MARKER_MARKED}|(?:يتبع|انتهى)\.?"
_URLTOK = r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+\.(?:com|net|org|gov|edu)(?:\.\w{2})?(?:/\S*)?"
_SOCIALTOK = rf"(?:{_URLTOK}|@\w+(?:\.\w+)*|\w+@|#\w+|pic\.twitter\.com/\S+)"
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d"
_LINKSEP = rf"[\s|,،•·\-:>{_EMOJI}]"
_PLATFORM = (
    r"تويتر|twitter|Twitter|فيسبوك|فيس بوك|Facebook|انستغرام|انستجرام|إنستغرام|إنستجرام|"
    r"Instagram|سناب ?شات|سناب|يوتيوب|YouTube|تلغرام|تيليجرام|واتساب|إيميل|ايميل|"
    r"البريد الإلكتروني|البريد الالكتروني|بريد إلكتروني|e-?mail|E-?mail|Email|الموقع الإلكتروني"
)
_READ_HEAD = (
    r"(?:اقرأ|اقرا|إقرأ|إقرا|طالع|شاهد|تابع) (?:أيضا|ايضا|أيضًا|كذلك|المزيد)|"
    r"(?:مواضيع|موضوعات|أخبار|مقالات|قصص|روابط) (?:ذات صلة|متعلقة|مرتبطة|أخرى)|"
    r"(?:Read|See) (?:also|more)|Related(?: (?:stories|articles|topics))?"
)
_NO_ARABIC = r"(?!.*[\u0600-\u06ff])"

RULES: tuple[Rule, ...] = (
    # --- repeated title ------------------------------------------------------
    Rule("title", "title", None, "وزير الدفاع الإيراني: انسحاب القوات ... (seed, lines 1 and 3)",
         note="a line equal to the normalised title (spacing and end punctuation ignored)"),
    Rule("byline", "title", None, "أحمد العرفج  (title: 'أحمد العرفج: ثمرة العيد')",
         note="first body line equal to the part of the title before ':' (columnist's name)"),
    # --- bylines at the top ----------------------------------------------------
    Rule("byline", "first", rf"(?:بقلم|كتب|كتبت|كتبه|إعداد|اعداد|تحرير|تقرير|إشراف|حوار)"
         rf" ?: ?{_W}(?: {_W}){{0,4}}", "بقلم: محمد أحمد"),
    Rule("byline", "first", rf"{_NAME}(?: {_NAME}){{0,3}} ?- ?{_NAME}(?: {_NAME}){{0,2}}",
         "هيفاء عبدالله – عين اليوم | سلمى القاسم- نبض الخليج",
         note="'Name – Outlet', at most 7 words, no digits"),
    Rule("byline", "span", r"(?<=\w) ?- ?\"[^\"]{2,40}\" ?(?=:)", "عمّان - «الغد»: أعلنت",
         note="the paper's own name between a place and a colon ('PLACE – «PAPER»:'); "
         "the place stays"),
    # --- datelines (kept apart as CleanedArticle.dateline) ----------------------
    Rule("dateline", "head", rf"{_PLACE}?\((?! ?{_CREDIT_HEAD})(?=[^()]{{0,100}}\))"
         rf"(?=[^()]*{_AG})[^()]*\)"
         r"(?: ?-{1,2}| ?:)?(?=\s|$)",
         "( أردو بوینت نتورك ۔ / سبوتنيك - 13 أبريل 2021ء) | دبي، الإمارات العربية المتحدة"
         " (CNN)-- | (رويترز) | (سبوتنيك - 13 أبريل 2021)",
         note="optional place, then (… agency …), then optional -- or :"),
    Rule("dateline", "head", rf"{_PLACE}?- ?(?:{AGENCIES}) ?[-:](?=\s|$)",
         "- سبق - | الرياض - واس:"),
    Rule("dateline", "head", rf"{_PLACE}?{_DATE}(?: ?الموافق ?{_DATE})? ?(?:{AGENCIES})"
         r"(?: ?[-:])?(?=\s|$)",
         "بكين 25 شوال 1436 هـ الموافق 10 اغسطس 2015 م واس"),
    # --- continuation and end markers, agency timestamps --------------------------
    Rule("marker", "line", rf"(?:{_MARKER})(?: ?{_TIMESTAMP})?|{_TIMESTAMP}",
         "(تستمر) | (يتبع) | // انتهى // | 15:12 ت م 12:12 جمت"),
    Rule("marker", "tail", rf"\s*(?:{_MARKER_MARKED})(?: ?{_TIMESTAMP})?$|"
         rf"(?<=[.!?؟])\s*(?:يتبع|انتهى)\.?(?: ?{_TIMESTAMP})?$|\s+{_TIMESTAMP}$",
         "... بين البلدين. (يتبع) | ... بين البلدين. انتهى.",
         note="a bare 'انتهى' only after a sentence's end ('قال إن الأمر انتهى.' is news)"),
    # --- comment / share / follow prompts -------------------------------------------
    Rule("prompt", "line",
         r"(?:أفكارك|آراؤكم|آرائكم|رأيك|تعليقاتكم) (?:و ?تعليقاتك|وتعليقاتكم|يهمنا)",
         "أفكارك وتعليقاتك"),
    Rule("prompt", "line", rf"(?:اكتب|أكتب|أضف|أضيفي|شاركنا|شاركونا|أرسل) (?:رأيك|تعليقك|تعليقا|"
         rf"تعليق|برأيك|آراءكم|لصديق)(?: {_W}){{0,6}} ?:?", "اكتب رأيك | أضف تعليقك"),
    Rule("prompt", "line", r"(?:شارك|شارك هذا|مشاركة|انشر)(?: (?:الخبر|المقال|المقالة|الموضوع|"
         rf"الصفحة|التقرير|الفيديو|الصورة))?(?: (?:على|عبر|في) (?:{_PLATFORM})"
         rf"(?: (?:أو|و) ?(?:{_PLATFORM}))*)?(?: ?:)?",
         "شارك | شارك الخبر | شارك على فيسبوك"),
    Rule("prompt", "line", rf"(?:تابعونا|تابعوا|تابعنا|تابعني|للمتابعة|Follow us|Share this)"
         rf"(?: {_W}|{_LINKSEP}|{_SOCIALTOK}){{0,16}}",
         "تابعونا على تويتر | تابعونا"),
    Rule("prompt", "line", r"(?:التعليقات|تعليقات|أضف تعليق|طباعة|أرسل لصديق|حفظ|"
         r"Comments|Print|Share)(?: ?\(\d+\))? ?:?", "طباعة | التعليقات (3)"),
    # --- read also / read more ------------------------------------------------
    Rule("read_also", "line", rf"(?:{_READ_HEAD}) ?:?", "اقرأ أيضا:", opens_block=True,
         note="bare header: the headline-like lines that follow go too (rule below)"),
    Rule("read_also", "follow", r"(?=.{3,160}$)(?!.*[.:،؛]$)\S+(?: \S+){0,19}",
         "\"عروس\": القرية السياحية السودانية التي أدارها الموساد الاسرائيلي",
         note="≤20 words, no final . : ، ؛ -- up to 10 lines after a bare header"),
    Rule("read_also", "line", rf"(?:{_READ_HEAD}|للمزيد ?(?::|اضغط|انقر|اقرأ))\b"
         rf"(?!.*\s{_REPORT}(?!\w)).{{0,300}}",
         "اقرأ المزيد... انفوجرافيك.. أبرز ما تمخضت عنه زيارة ولي عهد السعودية لبريطانيا"),
    Rule("read_also", "tail", r"\s*مقالات أخرى للكاتب.*$",
         "... بخير وصحة وأمان. مقالات أخرى للكاتبمن يكون وراء هؤلاء المتطرفين الوحوش؟..."),
    Rule("source_link", "tail", r"\s*رابط الخبر ?(?:ب|في )?صحيفة [^:]{1,40}:.*$",
         "... للمستشفى. رابط الخبر بصحيفة الوئام: بالصور..أربع اصابات ..."),
    # --- image credits ------------------------------------------------------------
    Rule("image_credit", "line", r"\(?(?:مصدر الصورة|حقوق الصورة|الصورة|صورة|الصور|تصوير|عدسة|"
         r"Image copyright|Image caption|Photo credit|Photo|Image)"
         r" ?(?::|-) ?[^.!?؟]{1,60}?\)?", "(الصورة: رويترز) | تصوير: محمد علي"),
    Rule("image_credit", "line", r"\(?(?:صورة|الصورة|صور) (?:أرشيفية|ارشيفية|من الأرشيف|تعبيرية|"
         r"توضيحية)\)?|(?:Getty Images|AFP|Reuters|EPA|AP)(?: ?/ ?[\w ]{1,30})?"
         r"|(?:مصدر الصورة|Image copyright) .{1,60}", "صورة أرشيفية | Getty Images"),
    # --- social embeds ---------------------------------------------------------------
    Rule("embed", "line", r"A post shared by .{1,150}",
         "A post shared by Nasser Bin Hamad Al-khalifa (@nbh_mo) on Oct 13, 2018 at 7:51pm PDT",
         takes_previous=True, note="the embedded post's caption before it goes too"),
    Rule("embed", "before", rf"(?=.*(?:#\w|[{_EMOJI}]))\S+(?: \S+){{0,59}}",
         "عاجل : #ناصر_بن_حمد بطلا للعالم ... #الذهب_فقط | #مبروك_يابوحمد"),
    Rule("embed", "line", r".{0,400}(?:يوتيوب|YouTube|تويتر|Twitter)\W{0,8}"
         r"https?://(?:youtu\.be|(?:www\.|m\.)?youtube\.com|(?:www\.)?twitter\.com)/\S+"
         r"(?: ?•+ ?[^.!?؟]{0,40})?",
         "ثلاث دقائق تلخص ... #كرامة_البلد يوتيوب👈 https://youtu.be/k8dmMdcPP_s"),
    Rule("embed", "line", r".{0,400}- [^()]{2,60}\(@\w{1,30}\) \S+ \d{1,2},? \d{4}",
         "اجتماع مثمر ... — عادل بن أحمد الجبير (@AdelAljubeir) أغسطس 3, 2015"),
    Rule("embed", "tail", r"(?:(?<=[.!?؟\"'])\s+|^)[^.!?؟]{0,400}?\s?- [^()]{2,60}\(@\w{1,30}\)"
         r" \S+ \d{1,2},? \d{4}$",
         "... انتهاكه . اجتماع مثمر ... — عادل بن أحمد الجبير (@AdelAljubeir) أغسطس 3, 2015"),
    Rule("embed", "line", r"pic\.twitter\.com/\S+", "pic.twitter.com/AbC123"),
    # --- lines that are only URLs, handles, hashtags; contact lines --------------------
    Rule("contact", "line", rf"(?:{_PLATFORM}) ?: ?{_SOCIALTOK}(?:{_LINKSEP}+{_SOCIALTOK})*",
         "تويتر: Arfaj1@ | إيميل: Arfaj555@yahoo.com"),
    Rule("contact", "line", rf"(?:{_PLATFORM}) ?:?", "انستغرام",
         note="a platform's name alone on its line (its handle follows on the next)"),
    Rule("links", "line", rf"{_LINKSEP}*{_SOCIALTOK}(?:{_LINKSEP}*{_SOCIALTOK})*{_LINKSEP}*",
         "https://youtu.be/x | @user #وسم | www.site.com"),
    # --- tags ---------------------------------------------------------------------------
    Rule("tags", "line",
         rf"(?:الوسوم|وسوم|كلمات مفتاحية|كلمات دلالية|Tags) ?:(?: ?{_W}[،,]?){{1,15}}",
         "الوسوم: السعودية، العيد"),
    Rule("tags", "last", rf"(?:{_SOCIALTOK} )*سمات(?: {_W}){{1,10}}",
         "سمات أحمد العرفج احتفال العيد | @salma_q سمات اقتصاد",
         note="'سمات' (tags) only as the last line, after the writer's handle if any"),
    Rule("tags", "tail", rf"(?<=[.!?؟\"')])\s+سمات(?: {_W}){{1,10}}$", "... في لندن. سمات لندن"),
    # --- source line ----------------------------------------------------------------
    Rule("source", "last", r"(?:المصدر|مصدر الخبر|Source) ?: ?[^.!?؟]{1,60}", "المصدر: وكالات"),
    Rule("credit", "last", r"\*? ?(?:خدمة|بالاتفاق مع|بالترتيب مع|بالتعاون مع|نقلا عن|نقلاً عن|"
         r"ترجمة|عن) ?:? ?\"[^\"]{2,40}\"", "* خدمة: \"واشنطن بوست\"",
         note="a syndication credit (credit word, quoted outlet) as the last line"),
    # --- leaked HTML / CSS / JavaScript ---------------------------------------------------
    Rule("markup", "line", r"(?:<[^<>]{0,300}>\s*)+|<!--.*?-->", "<div class=\"ad\"></div>"),
    Rule("markup", "line", _NO_ARABIC + r"(?:(?:var|let|const) \w+ ?=.*|function ?\w* ?\(.*|"
         r"(?:window|document)\.\w+.*|\$\(.*|jQuery\(.*|googletag\..*|\(function ?\(.*|"
         r"(?:if|for|while) ?\(.*\) ?\{.*|\}\)?\(?\)?;?|\{|\}|//.*|/\*.*\*/?)",
         "var x = 1; | googletag.cmd.push(function() {"),
    Rule("markup", "line", _NO_ARABIC + r"(?:[A-Za-z.#*@\[:][^{}]*\{[^{}]*\}?|"
         r"[a-z-]{2,40} ?: ?[^;{}]{1,80};(?: ?[a-z-]{2,40} ?: ?[^;{}]{1,80};)*)",
         ".ad-banner { display: none; } | color: red;"),
    Rule("markup", "span", r"<(script|style)\b[^>]*>.*?</\1 ?>|<!--.*?-->|"
         r"</?(?:p|br|div|span|a|b|i|u|em|strong|img|iframe|script|style|font|li|ul|ol|h[1-6]|"
         r"table|tbody|tr|td|th|figure|figcaption|blockquote|section|article|header|footer|nav|"
         r"center|small|sup|sub|hr)\b[^<>]{0,300}>", "النص <br/> النص | <p>..."),
    # --- inside a paragraph, by kind (procedural: translate/cleaning/inline.py) ------------------
    Rule("code", "inline", None, ".box { padding: 0; } | $(document).ready(function(){...});"
         " | {\"type\": \"bar\"}", note="a CSS/JS/JSON start, then balanced brackets and "
         "strings; no Arabic outside a string literal"),
    Rule("markup", "inline", None, "<ins class=\"x\"></ins> | class=\"a\" id=\"b\" | &nbsp",
         note="any well-formed tag, attribute runs, entities that lost their ';'"),
    Rule("share", "inline", None, "شارك تويتر فيسبوك واتساب | اكتب تعليقك",
         note="two or more bar items (platforms, share verbs, counts) with a platform, "
         "joined without و/،; or a comment prompt"),
    Rule("read_also", "inline", None, "... . اقرأ أيضا: عنوان مقال آخر وقال ...",
         note="header, then the linked headline up to punctuation, a separator or a new report"),
    Rule("image_credit", "inline", None, "(تصوير: محمد علي) | الصورة: أ ف ب | ... . «واس» وقال",
         note="a credit in brackets, or credit cue + agency/short name before a boundary; "
         "a quoted or bracketed agency or media office alone after a sentence, not the "
         "subject of what follows"),
    Rule("source", "inline", None, "... . المصدر: سكاي نيوز عربية",
         note="at a sentence start, up to 5 words before a boundary"),
    Rule("subscribe", "inline", None, "اشترك في نشرتنا البريدية ليصلك كل جديد.",
         note="a subscribe verb with a second-person/site object (بريدك، نشرتنا، قناتنا)"),
    Rule("cookie", "inline", None, "يستخدم هذا الموقع ملفات تعريف الارتباط... موافق",
         note="a site cue and a cookie/privacy term in one sentence, with its buttons"),
    Rule("footer", "inline", None, "للتواصل مع الكاتب: a@b.com | أرسل رسالة SMS تبدأ بالرمز ...",
         note="a contact cue, then every e-mail, number, operator and SMS word after it; a "
         "paragraph-final run of those alone"),
    Rule("stamp", "inline", None, "آخر تحديث: 10:41 صباحا | نشر في 12/05/2024",
         note="an updated/published cue followed by dates and times only"),
    Rule("learned", "learned", None, "...المزيد (aawsat, 3 of 116 articles)",
         note="recurs across one source's articles and does not read as news "
         "(translate/cleaning/boilerplate.py)"),
)


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    regex: re.Pattern[str]


def _compile(scope: str) -> list[_Compiled]:
    return [
        _Compiled(r, re.compile(r.pattern, re.DOTALL))
        for r in RULES
        if r.scope == scope and r.pattern is not None
    ]


_SCOPES = ("first", "line", "last", "follow", "before", "head", "tail", "span")
_BY_SCOPE = {s: _compile(s) for s in _SCOPES}
_FOLLOW_MAX = 10


# ---------------------------------------------------------------------------
# Article cleaning
# ---------------------------------------------------------------------------


def _key(s: str) -> str:
    s = _MULTISPACE_RE.sub(" ", s.strip())
    return s.strip(" .:!?؟-\"'")


def _fullmatch(scope: str, text: str, options: CleanOptions) -> _Compiled | None:
    for c in _BY_SCOPE[scope]:
        if c.rule.kind in options.keep_kinds:
            continue
        if c.regex.fullmatch(text):
            return c
    return None


def _cut_original(orig: str, norm_piece: str, side: str, options: CleanOptions) -> int | None:
    """Index in ``orig`` where a removed piece starts (side="tail") or ends ("head").

    Normalisation is line-local but not character-local, so the boundary is found by
    normalising candidate pieces of the original, nearest the likely place first.
    """
    target = norm_piece.strip()
    if not target:
        return None
    guess = len(orig) - len(target) if side == "tail" else len(target)
    guess = min(max(guess, 0), len(orig))
    cands = (guess + d * sign for d in range(200) for sign in ((1, -1) if d else (1,)))
    for i in cands:
        if not 0 <= i <= len(orig):
            continue
        if 0 < i < len(orig) and orig[i - 1].isalnum() and orig[i].isalnum():
            continue  # never inside a word
        piece = orig[i:] if side == "tail" else orig[:i]
        if normalize_line(piece, options) == target:
            return i
    return None


class _Article:
    """Working state of one clean_article call."""

    def __init__(self, title_key: str | None, author_key: str | None, options: CleanOptions):
        self.title_key = title_key
        self.author_key = author_key
        self.options = options
        self.removed: list[dict] = []

    def remove(self, span: Span) -> None:
        """Record one removal (every detector's spans end here)."""
        self.removed.append(span.record())

    def whole(self, kind: str, text: str, reason: str) -> None:
        """A whole line or paragraph removed."""
        self.remove(Span(kind, 0, len(text), text, reason))

    def line_kind(self, norm: str, *, first: bool) -> _Compiled | str | None:
        opts = self.options
        if self.title_key is not None and "title" not in opts.keep_kinds:
            if _key(norm) == self.title_key:
                return "title"
        if first and self.author_key and "byline" not in opts.keep_kinds:
            if _key(norm) == self.author_key:
                return "byline"
        if first and not _starts_with_dateline(norm, opts):
            hit = _fullmatch("first", norm, opts)
            if hit:
                return hit
        return _fullmatch("line", norm, opts)


def _starts_with_dateline(norm: str, options: CleanOptions) -> bool:
    if "dateline" in options.keep_kinds:
        return False
    return any(c.regex.match(norm) for c in _BY_SCOPE["head"])


def _is_dateline_only(norm: str, options: CleanOptions) -> bool:
    if "dateline" in options.keep_kinds:
        return False
    return any(c.regex.fullmatch(norm) for c in _BY_SCOPE["head"])


def _group_paragraphs(lines: list[str], norms: list[str]) -> list[list[int]]:
    """Indices of non-empty lines, grouped into paragraphs."""
    nonempty = [i for i, n in enumerate(norms) if n]
    if not nonempty:
        return []
    has_blank = any(
        not norms[i] for i in range(nonempty[0], nonempty[-1] + 1)
    )
    if not has_blank:
        return [[i] for i in nonempty]
    groups: list[list[int]] = []
    current: list[int] = []
    for i in range(nonempty[0], nonempty[-1] + 1):
        if norms[i]:
            current.append(i)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _norm_title(title: str, options: CleanOptions) -> str:
    return normalize_line(" ".join(_split_lines(title)), options)


def clean_article(
    text: str, title: str | None = None, options: CleanOptions = CleanOptions(),
    source: str | None = None,
) -> CleanedArticle:
    """Normalise an article, split it into paragraphs and remove boilerplate.

    Paragraphs are separated by blank lines; single newlines inside a paragraph
    become spaces.  A text without any blank line has one paragraph per line.
    `source` (outlet, URL host or input file) picks the units of ``options.learned``
    that apply to this article.
    """
    ntitle = _norm_title(title, options) if title is not None else None
    lines = _split_lines(text)
    norms = [normalize_line(line, options) for line in lines]
    groups = _group_paragraphs(lines, norms)

    if options.keep_boilerplate:
        paragraphs = [normalize_line(" ".join(norms[i] for i in g), options) for g in groups]
        return CleanedArticle(ntitle, None, [p for p in paragraphs if p], [])

    title_key = _key(ntitle) if ntitle else None
    author_key = None
    if ntitle and ":" in ntitle:
        head = _key(ntitle.split(":", 1)[0])
        if 0 < len(head.split()) <= 4:
            author_key = head
    art = _Article(title_key or None, author_key, options)
    learned = options.learned if "learned" not in options.keep_kinds else None

    # ---- pass 1: line rules, line by line --------------------------------------
    order = [i for g in groups for i in g]
    killed: set[int] = set()
    first_dateline: list[str] = []  # a place split off an "OUTLET – PLACE" byline
    seen_content = False
    block_left = 0
    last_kept: int | None = None
    for i in order:
        n = norms[i]
        kind: str | None = None
        reason = ""
        hit = art.line_kind(n, first=not seen_content)
        if isinstance(hit, str):
            kind, reason = hit, f"line equal to the {hit if hit == 'title' else 'title head'}"
        elif hit is not None:
            kind, reason = hit.rule.kind, _reason(hit)
            if hit.rule.opens_block:
                block_left = _FOLLOW_MAX
                killed.add(i)
                art.whole(kind, lines[i].strip(), reason)
                continue
            if hit.rule.takes_previous and last_kept is not None:
                if _fullmatch("before", norms[last_kept], options):
                    killed.add(last_kept)
                    art.whole(kind, lines[last_kept].strip(), reason + ", its caption")
                    last_kept = None
        elif block_left and _fullmatch("follow", n, options):
            block_left -= 1
            killed.add(i)
            art.whole("read_also", lines[i].strip(), "headline line after a read-also header")
            continue
        block_left = 0
        if kind is None and learned is not None and learned.has(n, source):
            # a whole line that recurs across this source's articles
            kind, reason = "learned", f"a unit learned for {source}"
        if kind == "byline" and learned is not None and not seen_content:
            # "OUTLET – PLACE": the outlet's credit goes, the place is the dateline
            split = learned.place_after_credit(n, source)
            if split is not None and "dateline" not in options.keep_kinds:
                killed.add(i)
                art.whole(kind, split[0], reason + f", {source}'s credit before a place")
                first_dateline.append(split[1])
                continue
        if kind is not None:
            killed.add(i)
            art.whole(kind, lines[i].strip(), reason)
            continue
        if not seen_content and _is_dateline_only(n, options):
            last_kept = i
            continue
        seen_content = True
        last_kept = i

    # "last" rules: trailing lines, from the end
    for i in reversed(order):
        if i in killed:
            continue
        hit = _fullmatch("last", norms[i], options)
        if hit is None:
            break
        killed.add(i)
        art.whole(hit.rule.kind, lines[i].strip(), _reason(hit))

    # ---- pass 2: paragraphs -------------------------------------------------------
    dateline_parts: list[str] = first_dateline
    kept_paras: list[tuple[str, str]] = []  # (normalised, original)
    for g in groups:
        kept = [i for i in g if i not in killed]
        if not kept:
            continue
        orig = "\n".join(lines[i].strip() for i in kept)
        para = normalize_line(" ".join(norms[i] for i in kept), options)
        para, orig = _clean_paragraph(
            para, orig, art, first=not kept_paras, datelines=dateline_parts
        )
        if para:
            kept_paras.append((para, orig))
    # trailing lines can become "last" only now (after tails and datelines went)
    while kept_paras:
        para, orig = kept_paras[-1]
        hit = _fullmatch("last", para, options)
        if hit is None:
            break
        art.whole(hit.rule.kind, orig.strip(), _reason(hit))
        kept_paras.pop()
    paragraphs = [p for p, _ in kept_paras]
    if options.learned is not None and "learned" not in options.keep_kinds:
        paragraphs = _strip_learned(paragraphs, options, source, art)

    dateline = " ".join(dateline_parts) if dateline_parts else None
    inner = [norms[i] for g in groups if len(g) > 1 for i in g if i not in killed and norms[i]]
    return CleanedArticle(ntitle, dateline, paragraphs, art.removed, inner)


def _strip_learned(paragraphs: list[str], options: CleanOptions, source: str | None,
                   art: _Article) -> list[str]:
    assert options.learned is not None
    out = []
    for k, para in enumerate(paragraphs):
        spans = [sp for sp in options.learned.spans(para, source, first=k == 0,
                                                    last=k == len(paragraphs) - 1)
                 if sp.kind not in options.keep_kinds]  # a learned credit is a "byline"
        if spans:
            para, _ = _remove_spans(para, para, spans, art)
        if para:
            out.append(para)
    return out


def _reason(hit: _Compiled) -> str:
    return f"rule {hit.rule.kind}/{hit.rule.scope}"



def _clean_paragraph(
    para: str, orig: str, art: _Article, *, first: bool, datelines: list[str]
) -> tuple[str, str]:
    """Apply paragraph-level rules until nothing changes; returns (para, original)."""
    opts = art.options
    for _ in range(50):
        before = para
        if not para:
            return "", ""
        # whole paragraph matches a line rule (a wrapped boilerplate line)
        hit = art.line_kind(para, first=first)
        if hit is not None:
            kind = hit if isinstance(hit, str) else hit.rule.kind
            art.whole(kind, orig.strip(), f"equal to the {kind}" if isinstance(hit, str)
                      else _reason(hit))
            return "", ""
        # dateline at the start of the first paragraph
        if first and "dateline" not in opts.keep_kinds:
            for c in _BY_SCOPE["head"]:
                m = c.regex.match(para)
                if m and m.end() > 0:
                    datelines.append(m.group(0).strip(" -:"))
                    cut = _cut_original(orig, m.group(0), "head", opts)
                    para = para[m.end():].strip()
                    orig = orig[cut:] if cut is not None else para
                    break
            if para != before:
                continue
        for c in _BY_SCOPE["tail"]:
            if c.rule.kind in opts.keep_kinds:
                continue
            m = c.regex.search(para)
            if m and m.start() < len(para):
                tail = para[m.start():]
                cut = _cut_original(orig, tail, "tail", opts)
                para = para[: m.start()].strip()
                if cut is None:  # fall back to the normalised text
                    art.whole(c.rule.kind, tail.strip(), _reason(c))
                    orig = para
                else:
                    art.whole(c.rule.kind, orig[cut:].strip(), _reason(c))
                    orig = orig[:cut]
                break
        if para != before:
            continue
        for c in _BY_SCOPE["span"]:
            if c.rule.kind in opts.keep_kinds:
                continue
            m = c.regex.search(para)
            if m:
                span = Span(c.rule.kind, m.start(), m.end(), m.group(0), _reason(c))
                para, orig = _remove_spans(para, orig, [span], art)
                break
        if para != before:
            continue
        spans = find_spans(para, opts.keep_kinds)
        if spans:
            para, orig = _remove_spans(para, orig, spans, art)
            continue
        return para, orig
    return para, orig


_NO_SPACE_BEFORE = ".,،؛:!?؟)]}\""


def _remove_spans(para: str, orig: str, spans: list[Span], art: _Article) -> tuple[str, str]:
    """The one remover: cut spans (sorted, not overlapping) out of a paragraph, log each whole.

    Returns the paragraph and its original text without them.
    """
    kept: list[str] = []
    pos = 0
    orig_ok = True
    for sp in spans:
        piece = para[sp.start:sp.end]
        art.remove(replace(sp, text=piece.strip()))
        kept.append(para[pos:sp.start])
        pos = sp.end
        if orig_ok and piece in orig:
            orig = orig.replace(piece, " ", 1)
        else:
            orig_ok = False
    kept.append(para[pos:])
    out = kept[0].rstrip()
    for right in kept[1:]:
        right = right.strip()
        if out and right:
            out += right if right[0] in _NO_SPACE_BEFORE else " " + right
        else:
            out = out or right
    new = normalize_line(out, art.options)
    return new, orig if orig_ok else new
