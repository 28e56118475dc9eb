"""The boilerplate rules of :func:`~arabic_digest.translate.cleaning.clean.clean_article`: ONE
table, :data:`RULES`, compiled by scope into :data:`BY_SCOPE`.

Rules of scope ``inline`` are procedural detectors in :mod:`translate.cleaning.inline` (code,
share bars, cookie notices... glued inside a paragraph), and ``learned`` is what
:mod:`translate.cleaning.boilerplate` learned to recur across one source's articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from arabic_digest.translate.cleaning.inline import AGENCIES
from arabic_digest.translate.cleaning.inline import CREDIT_HEAD as _CREDIT_HEAD
from arabic_digest.translate.cleaning.inline import REPORT as _REPORT

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



def _inline(kind: str, example: str, note: str) -> Rule:
    """A rule of scope ``inline``: its detector is procedural (inline.py's DETECTORS)."""
    return Rule(kind, "inline", None, example, note=note)


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
    # separators possessive (no token starts with one that it needs): a line of 8,000
    # dashes is then one pass, not a token tried from each of its positions
    Rule("contact", "line", rf"(?:{_PLATFORM}) ?: ?{_SOCIALTOK}(?:{_LINKSEP}++{_SOCIALTOK})*",
         "تويتر: Arfaj1@ | إيميل: Arfaj555@yahoo.com"),
    Rule("contact", "line", rf"(?:{_PLATFORM}) ?:?", "انستغرام",
         note="a platform's name alone on its line (its handle follows on the next)"),
    Rule("links", "line", rf"{_LINKSEP}*+{_SOCIALTOK}(?:{_LINKSEP}*+{_SOCIALTOK})*{_LINKSEP}*",
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
    _inline("code", ".box { padding: 0; } | $(document).ready(function(){...});"
            " | {\"type\": \"bar\"}", "a CSS/JS/JSON start, then balanced brackets and "
            "strings; no Arabic outside a string literal"),
    _inline("markup", "<ins class=\"x\"></ins> | class=\"a\" id=\"b\" | &nbsp",
            "any well-formed tag, attribute runs, entities that lost their ';'"),
    _inline("share", "شارك تويتر فيسبوك واتساب | اكتب تعليقك",
            "two or more bar items (platforms, share verbs, counts) with a platform, "
            "joined without و/،; or a comment prompt"),
    _inline("read_also", "... . اقرأ أيضا: عنوان مقال آخر وقال ...",
            "header, then the linked headline up to punctuation, a separator or a new report"),
    _inline("image_credit", "(تصوير: محمد علي) | الصورة: أ ف ب | ... . «واس» وقال",
            "a credit in brackets, or credit cue + agency/short name before a boundary; "
            "a quoted or bracketed agency or media office alone after a sentence, not the "
            "subject of what follows"),
    _inline("source", "... . المصدر: سكاي نيوز عربية",
            "at a sentence start, up to 5 words before a boundary"),
    _inline("subscribe", "اشترك في نشرتنا البريدية ليصلك كل جديد.",
            "a subscribe verb with a second-person/site object (بريدك، نشرتنا، قناتنا); a "
            "sentence that opens by addressing the reader and names the site as ours"),
    _inline("cookie", "يستخدم هذا الموقع ملفات تعريف الارتباط... موافق",
            "a site cue and a cookie/privacy term in one sentence, with its buttons"),
    _inline("footer", "للتواصل مع الكاتب: a@b.com | أرسل رسالة SMS تبدأ بالرمز ...",
            "a contact cue, then every e-mail, number, operator and SMS word after it; a "
            "paragraph-final run of those alone"),
    _inline("stamp", "آخر تحديث: 10:41 صباحا | نشر في 12/05/2024",
            "an updated/published cue followed by dates and times only"),
    Rule("learned", "learned", None, "...المزيد (aawsat, 3 of 116 articles)",
         note="recurs across one source's articles and does not read as news "
         "(translate/cleaning/boilerplate.py)"),
)


@dataclass(frozen=True)
class Compiled:
    rule: Rule
    regex: re.Pattern[str]


def _compile(scope: str) -> list[Compiled]:
    return [
        Compiled(r, re.compile(r.pattern, re.DOTALL))
        for r in RULES
        if r.scope == scope and r.pattern is not None
    ]


_SCOPES = ("first", "line", "last", "follow", "before", "head", "tail", "span")
BY_SCOPE = {s: _compile(s) for s in _SCOPES}
