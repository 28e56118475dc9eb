"""Boilerplate and code glued inside a paragraph: found by the kind of thing, not by a site.

Scrapers flatten pages, so a share bar, a cookie notice or a block of CSS/JS often sits in
the middle of a paragraph with no line break to anchor a rule. Each detector here returns
``Span(kind, start, end)`` (translate.spans) over one *normalised* paragraph (see
clean.normalize_line: Moses pads "(" with a space, quotes are ASCII). A span always covers
a whole unit: a footer is taken with its e-mail, numbers and operators, never in pieces.

Detectors describe kinds:

* code     -- CSS, JavaScript, JSON: by their tokens, between Arabic words (translate.codelex).
* share    -- runs of platform names and share/follow verbs (a bar), a comment prompt.
* read_also, image_credit, source, subscribe, cookie, footer -- a cue word, then the unit
              up to its natural end (sentence punctuation, a separator, the paragraph end).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from arabic_digest.translate.cleaning.codelex import code_spans
from arabic_digest.translate.cleaning.spans import Span

__all__ = ["DETECTORS", "Span", "find_spans"]

AR = "\u0621-\u064a\u0671-\u06d3"  # Arabic letters
_ARABIC_RE = re.compile(f"[{AR}]")


def _matches(kind: str, regex: re.Pattern[str]) -> Callable[[str], list[Span]]:
    """A detector whose spans are the matches of one pattern."""
    def spans(text: str) -> list[Span]:
        return [Span(kind, m.start(), m.end()) for m in regex.finditer(text)]
    return spans


def _extended(kind: str, regex: re.Pattern[str], more: re.Pattern[str], *, from_start: bool
              ) -> Callable[[str], list[Span]]:
    """A detector whose spans are the matches of `regex`, each reaching as far as `more`
    matches from the match's start (`from_start`) or end, where it does."""
    def spans(text: str) -> list[Span]:
        out = []
        for m in regex.finditer(text):
            further = more.match(text, m.start() if from_start else m.end())
            out.append(Span(kind, m.start(), further.end() if further else m.end()))
        return out
    return spans


# Code (CSS, JavaScript, JSON) is found by codelex.py (code_spans).
# HTML left in the text: any well-formed tag, attribute runs, entities that lost their ";".
_ATTR = r"[\w:-]+(?: ?= ?(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s<>\"']+))?"
_HTML_RE = re.compile(
    rf"</?[A-Za-z][\w-]*(?: {_ATTR})* ?/?>|<!--.*?-->|"
    rf"(?<![\w-])(?:[a-z-]{{2,20}}=(?:\"[^\"]*\"|'[^']*') ?){{2,}}|"
    r"&(?:nbsp|quot|amp|lt|gt|raquo|laquo|hellip|mdash|ndash|rsquo|lsquo|rdquo|ldquo)(?![;\w])"
)

html_spans = _matches("markup", _HTML_RE)


# ---------------------------------------------------------------------------
# Share / follow bars and comment prompts
# ---------------------------------------------------------------------------

PLATFORMS = (
    r"تويتر|تويت|twitter|Twitter|فيسبوك|فيس ?بوك|فيسبك|Facebook|facebook|انستغرام|انستجرام|"
    r"إنستغرام|إنستجرام|انستقرام|Instagram|سناب ?شات|Snapchat|يوتيوب|يوتوب|YouTube|Youtube|"
    r"تلغرام|تليغرام|تلجرام|تليجرام|تيليجرام|Telegram|واتساب|واتس ?اب|واتس ?آب|WhatsApp|"
    r"Whatsapp|جوجل ?بلس|غوغل ?بلس|جوجل ?\+|Google ?\+|Google Plus|لينكد ?إن|لينكدان|"
    r"LinkedIn|Linkedin|بنترست|بينتريست|Pinterest|ريديت|Reddit|تيك ?توك|TikTok|ماسنجر|مسنجر|"
    r"Messenger|تمبلر|Tumblr|فايبر|Viber|البريد الإلكتروني|البريد الالكتروني|E-?mail|e-?mail"
)
_SHARE_VERB = (
    r"شارك|شاركها|شاركه|شاركوا|مشاركة|انشر|غرد|تغريد|Share|share|Tweet|tweet|Like|Pin|"
    r"تابعنا|تابعونا|تابعوا|Follow(?: us)?|أعجبني|طباعة|Print|نسخ الرابط|Copy link|"
    r"أرسل لصديق|أرسل|إرسال|حفظ"
)
_SHARE_OBJ = (r"(?: (?:هذا |هذه )?(?:الخبر|المقال|المقالة|الموضوع|الصفحة|التقرير|الفيديو|القصة))?"
              r"(?: مع (?:أصدقائك|اصدقائك|أصدقائكم|اصدقائكم|الأصدقاء|الاصدقاء|متابعيك))?")
# "you can share..." leading a bar
_SHARE_LEAD = r"(?:(?:يمكنك|يمكنكم|بإمكانك|بامكانك) )?"
PROMPTS = (
    r"(?:اكتب|أكتب|أضف|اترك|أترك|شاركنا|أدل ب)(?: ?)(?:تعليقك|تعليقا|تعليق|رأيك|برأيك|تعليقاتكم)"
    r"(?: (?:هنا|على (?:الخبر|المقال|الموضوع)))?|"
    r"كن أول من (?:يعلق|يعلّق|يشارك|يقيم)(?: على (?:الخبر|المقال|الموضوع|هذا))?|"
    r"لا توجد تعليقات|التعليقات ?\(? ?\d+ ?\)?|\d+ تعليق(?:ات|ا)?|"
    r"(?:Leave|Write|Add) a (?:comment|reply)|Comments? ?\(\d+\)"
)
_ITEM = (
    rf"(?:{PLATFORMS})|(?:{PROMPTS})|"
    rf"{_SHARE_LEAD}(?:{_SHARE_VERB}){_SHARE_OBJ}(?: (?:على|عبر|في|on|via)(?![\w]))?|"
    rf"\d{{1,6}}|[+]"
)
_SEP = r"(?: ?[|•·/:\-] ?| )"
_BAR_RE = re.compile(rf"(?<![\w])(?:{_ITEM})(?:{_SEP}(?:{_ITEM}))*(?: ?:)?(?![\w])")
# A bar glued to the next word ("... جوجل بلسأكد"): only a long bar is sure enough.
# At most MAX_BAR_ITEMS items: a long run of numbers or share verbs with no glued platform
# after it is then tried a bounded way from each of its starts, not to its end.
MAX_BAR_ITEMS = 30
_BAR_GLUED_RE = re.compile(
    rf"(?<![\w])(?:(?:{_ITEM}){_SEP}){{1,{MAX_BAR_ITEMS}}}(?:{PLATFORMS})(?=[{AR}])")
_PLATFORM_RE = re.compile(rf"(?<![\w])(?:{PLATFORMS})(?![\w])")
_PROMPT_RE = re.compile(rf"(?<![\w])(?:{PROMPTS})(?![\w])")
_ITEM_RE = re.compile(rf"(?<![\w])(?:{_ITEM})(?![\w])")


# Page tools (print, e-mail, save, font size) between explicit separators: a bar by itself.
_TOOL = (
    r"طباعة|اطبع|إرسال بالبريد|أرسل بالبريد|أرسل لصديق|إرسال لصديق|البريد الإلكتروني|حفظ|"
    r"تكبير الخط|تصغير الخط|حجم الخط|نسخ الرابط|مشاركة|شارك|تعليق|Print|Email|E-mail|Save|"
    r"Share|A\+|A-"
)
_TOOLS_RE = re.compile(
    rf"(?<![\w])(?:{_TOOL}|{PLATFORMS})(?: ?[|•·] ?(?:{_TOOL}|{PLATFORMS})){{2,}}(?![\w])")


def share_spans(text: str) -> list[Span]:
    """Runs of at least two bar items with a platform name; a comment prompt alone; a share
    verb phrase left dangling before a sentence."""
    spans = [Span("share", m.start(), m.end()) for m in _DANGLING_SHARE_RE.finditer(text)
             if m.end() > m.start()]
    for m in _BAR_RE.finditer(text):
        piece = m.group(0)
        items = _ITEM_RE.findall(piece)
        platforms = len(_PLATFORM_RE.findall(piece))
        prompt = _PROMPT_RE.search(piece)
        if prompt or (len(items) >= 2 and platforms >= 1 and not piece.strip(" :|").isdigit()):
            spans.append(Span("share", m.start(), m.end()))
    for m in _BAR_GLUED_RE.finditer(text):
        piece = m.group(0)
        if len(_ITEM_RE.findall(piece + " ")) >= 3 and len(_PLATFORM_RE.findall(piece)) >= 2:
            spans.append(Span("share", m.start(), m.end()))
    spans += [Span("share", m.start(), m.end()) for m in _TOOLS_RE.finditer(text)]
    return spans


# ---------------------------------------------------------------------------
# Cue-led units: read also, credits, source, subscribe, cookies, footers
# ---------------------------------------------------------------------------

_END = r"[.!?؟]"
_WORD = r"[^\s.!?؟|•]+"
_START = r"(?:^|(?<=[.!?؟|•:\"')»] )|(?<=[.!?؟|•\"')»]))"  # a unit starts a sentence

_READ_HEAD = (
    r"(?:اقرأ|اقرا|إقرأ|إقرا|طالع) (?:أيضا|ايضا|أيضًا|كذلك|المزيد)|ربما يهمك|قد يهمك|"
    r"شاهد (?:الفيديو|بالفيديو|أيضا|ايضا|كذلك)|شاهد أيضًا|Watch(?: the video| also)?|"
    r"يهمك أيضا|اخترنا لك|لا تفوت|ننصحك بقراءة|"
    r"(?:مواضيع|موضوعات|أخبار|مقالات|روابط|قصص) (?:ذات صلة|متعلقة|مرتبطة)|"
    r"Read (?:also|more)|Related (?:stories|articles|news)"
)
# a headline ends at sentence punctuation, a separator, or where a report starts again
REPORT_VERBS = (
    r"قال|قالت|أعلن|أعلنت|أكد|أكدت|أضاف|أضافت|أوضح|أوضحت|أشار|أشارت|ذكر|ذكرت|كشف|كشفت|"
    r"بين|بينت|تابع|تابعت|يذكر|يشار|كان|كانت"
)
REPORT = rf"و?(?:{REPORT_VERBS})"

# A share bar whose platforms were icons (or were cut as learned template) leaves its verb
# phrase behind: "شارك عبر" or "شارك الخبر مع أصدقائك:" glued before the first sentence. A
# share verb with a dangling preposition, a colon or "with your friends" opening the text or a
# sentence, where a report verb, a quote or the end follows, is the bar's, never news
# ("شارك الوزير في المؤتمر" goes on with its object and stays).
_DANGLING_SHARE_RE = re.compile(
    rf"(?:^|(?<=[.!?؟] ))(?:{_SHARE_LEAD}(?:{_SHARE_VERB}){_SHARE_OBJ}"
    rf"(?: ?:| (?:على|عبر|on|via) ?:?)|{_SHARE_LEAD}(?:{_SHARE_VERB}){_SHARE_OBJ[:-1]} ?:?)"
    rf"(?= ?$| ?[«\"(]| (?:{REPORT_VERBS})(?![\w]))")

# a short unit (credit, source) ends at punctuation, a separator, the end, or a new report
_UNIT_END = rf"(?= ?(?:[.!?؟|•]|$)|(?: (?:{REPORT})(?![\w])))"
_NOT_REPORT = rf"(?!{REPORT}(?![\w]))"
_HEADLINE = rf"{_NOT_REPORT}{_WORD}(?: {_NOT_REPORT}{_WORD}){{0,19}}?"
_HEADLINE_END = rf"(?:{_END}+|(?= ?[|•])|(?= {REPORT}(?![\w]))|$)"
# words are separated by exactly one space (normalised text), so no word can be split two
# ways: the pattern stays linear on long paragraphs
_READ_RE = re.compile(
    rf"(?<![\w])(?:{_READ_HEAD}) ?:? ?{_HEADLINE}{_HEADLINE_END}"
    rf"(?: ?[|•] ?{_HEADLINE}{_HEADLINE_END}){{0,5}}"
)
_READ_HEAD_RE = re.compile(rf"(?<![\w])(?:{_READ_HEAD}) ?:?")

# the header, then its headline(s) where READ_RE sees a clear end (else the header alone)
read_also_spans = _extended("read_also", _READ_HEAD_RE, _READ_RE, from_start=True)


CREDIT_HEAD = (
    r"تصوير|الصورة|صورة|الصور|مصدر الصورة|حقوق الصورة|حقوق النشر|عدسة|بعدسة|"
    r"Photo(?: credit)?|Image(?: credit| copyright)?|Credit|Photograph"
)
CREDIT_SOURCES = (
    r"AFP|Getty(?: Images)?|Reuters|EPA|AP|Shutterstock|iStock|رويترز|أ ?ف ?ب|ا ?ف ?ب|"
    r"فرانس ?برس|الأناضول|أرشيفية|ارشيفية|أرشيف|الأرشيف|إنترنت|الإنترنت|متداولة|مواقع التواصل|"
    r"وكالات|تعبيرية|توضيحية|واس"
)
# news agencies by name and initials; also the datelines' agencies (rules.py)
AGENCIES = (
    r"CNN|BBC|AFP|AP|Reuters|RT|DPA|رويترز|سبوتنيك|أ ?ف ?ب|ا ?ف ?ب|أ\.ف\.ب|فرانس ?برس|"
    r"د ?ب ?أ|د\.ب\.أ|الأناضول|واس|وام|قنا|كونا|بنا|سانا|سبأ|واج|وات|ومع|بترا|وفا|معا|"
    r"شينخوا|إرنا|ارنا|يو ?بي ?آي|أسوشيتد ?برس|أسوشيتدبرس|سبق|إفي|الألمانية|الفرنسية|"
    r"الأوروبية|الأسوشيتد برس|يونهاب|تاس|نوفوستي|إنترفاكس|[إا] ?ب ?أ|أ ?ش ?أ"
)
# an outlet's or a body's own media office: "مركز الاتحاد الإعلامي", "المكتب الإعلامي لبلدية نابلس"
_MEDIA_OFFICE = (
    r"(?:ال)?(?:مركز|مكتب|قسم|إدارة|ادارة|دائرة|منسقية|وحدة)(?: [^\s\"()]+){0,3}? "
    r"و?(?:ال)?(?:إعلامي|اعلامي|إعلامية|اعلامية|إعلام|اعلام)(?: [^\s\"()]+){0,3}?"
)
# A photo credit standing alone between two sentences, beside a caption: a quoted or
# bracketed agency or media office, not the subject of what follows. It is a subject when a
# bare verb follows ("«المكتب الإعلامي» أعلن", "«رويترز» تنقل": a reporting verb or an
# imperfect's prefix), a pronoun, عن or أن, or و and a second name ("«واس» و«كونا» نقلتا");
# a new clause with و, an impersonal "يشار/يذكر", a caption's noun or a boundary after it
# leave it a credit.
_ALONE = rf"{AGENCIES}|و ?م ?ع|{_MEDIA_OFFICE}"
_ATTRIBUTION = r"نقل|نقلت|نقلتا|ذكرتا|أفاد|أفادت|أورد|أوردت|نشر|نشرت|بث|بثت|نسب|نسبت|علم|علمت"
_LINKS = r"عن|إن|أن|هو|هي|التي|الذي"  # "«رويترز» عن مصدر", "«واس» هي الوكالة"
_SUBJECT_OF = (
    rf"(?!(?:يشار|يذكر|يُشار|يُذكر)(?![\w]))"
    rf"(?:(?:{REPORT_VERBS}|{_ATTRIBUTION}|{_LINKS})(?![\w])|[يتن][{AR}]{{3,}}|و? ?[\"(])"
)
_CREDIT_ALONE_RE = re.compile(
    rf"(?:(?<=[.!?؟] )|(?<=[.!?؟]))(?:\"(?:{_ALONE})\"|\( ?(?:{_ALONE}) ?\))"
    rf"(?= ?(?:[.!?؟،,:|•]|$)| (?!{_SUBJECT_OF})[^\s])"
)
_CREDIT_RE = re.compile(
    rf"\( ?(?:{CREDIT_HEAD}) ?[:\-/]? ?[^()]{{1,60}}\)|"
    rf"\( ?(?:صورة|الصورة|صور) (?:أرشيفية|ارشيفية|من الأرشيف|تعبيرية|توضيحية) ?\)|"
    rf"(?<![\w])(?:{CREDIT_HEAD}) ?[:\-/] ?"
    rf"(?:(?:{CREDIT_SOURCES})(?: ?/ ?[\w ]{{1,30}}?)?(?![\w])|"
    rf"{_WORD}(?: {_WORD}){{0,3}}{_UNIT_END})"
)


def credit_spans(text: str) -> list[Span]:
    alone = "an agency or media office alone after a sentence, not the subject of what follows"
    return [Span("image_credit", m.start(), m.end()) for m in _CREDIT_RE.finditer(text)] + [
        Span("image_credit", m.start(), m.end(), reason=alone)
        for m in _CREDIT_ALONE_RE.finditer(text)]


_SOURCE_RE = re.compile(
    rf"{_START}(?:المصدر|مصدر الخبر|المصادر|Source) ?: ?{_WORD}(?: {_WORD}){{0,4}}"
    rf"{_UNIT_END}"
)

source_spans = _matches("source", _SOURCE_RE)


_SUBSCRIBE_RE = re.compile(
    rf"(?<![\w])(?:اشترك|اشتركوا|اشتركي|للاشتراك|سجل|سجلوا|أدخل|ادخل|انضم|انضموا|انضمي|"
    rf"Subscribe|Sign up|Join)"
    rf"(?=(?: {_WORD}){{0,8}} (?:[^\s]*(?:بريدك|نشرتنا|النشرة البريدية|القائمة البريدية|"
    rf"قناتنا|ليصلك|لتصلك|ليصلكم|لتصلكم|newsletter|Newsletter|الإشعارات|إشعارات)))"
    rf"(?: {_WORD}){{1,14}}?(?:{_END}+|(?= ?[|•])|$|(?= {REPORT}(?![\w])))"
    r"(?: ?(?:اشترك|اشترك الآن|Subscribe|إرسال|أرسل))?"
)

# A site's call to its readers: a sentence that opens by addressing them (a plural or
# singular imperative, "you can") and names the site as "ours" (موقعنا، تطبيقنا، هيئة
# التحرير). News never speaks to its reader in the site's voice; a quoted official who does
# is after a colon or a quote mark, not at a sentence start, and stays.
_PROMO_VERB = (
    r"تابعوا|تابعونا|تابعنا|زوروا|زورونا|راسلونا|راسلنا|شاركونا|شاركنا|حملوا|حمّلوا|"
    r"ادعموا|لا تفوتوا|لا تفوّتوا|يمكنكم|يمكنك|بإمكانكم|بإمكانك|باستطاعتكم|"
    r"Follow us|Visit our|Download our|Write to us"
)
_SITE_SELF = (
    r"موقعنا|صفحتنا|صفحاتنا|تطبيقنا|حسابنا|حساباتنا|قناتنا|نشرتنا|منصتنا|منصاتنا|"
    r"هيئة التحرير|أسرة التحرير|فريق التحرير|our (?:site|website|app|newsroom)"
)
_PROMO_RE = re.compile(
    rf"(?:^|(?<=[.!?؟] ))و?(?:{_PROMO_VERB})(?![\w])"
    rf"(?=[^.!?؟]{{0,160}}?(?<![\w])(?:{_SITE_SELF})(?![\w]))[^.!?؟]{{0,240}}?(?:{_END}+|$)"
)


def subscribe_spans(text: str) -> list[Span]:
    return sorted((Span("subscribe", m.start(), m.end())
                   for regex in (_SUBSCRIBE_RE, _PROMO_RE) for m in regex.finditer(text)),
                  key=lambda s: s.start)


_COOKIE_TERM = r"ملفات تعريف الارتباط|ملفات الارتباط|الكوكيز|كوكيز|cookies|Cookies"
_COOKIE_CUE = (
    r"يستخدم هذا الموقع|يستخدم موقعنا|هذا الموقع يستخدم|موقعنا يستخدم|نستخدم|نحن نستخدم|"
    r"يستعمل هذا الموقع|نستعمل|باستخدامك|باستمرارك|بالاستمرار في|بمواصلة|"
    r"This (?:web)?site uses|We use|By (?:continuing|using)"
)
_BUTTONS = (
    r"موافق|أوافق|اوافق|قبول|أقبل|حسنا|حسناً|فهمت|إغلاق|اغلاق|رفض|المزيد من المعلومات|"
    r"اعرف المزيد|معرفة المزيد|OK|Ok|Accept|Got it|Close|Learn more"
)
_COOKIE_RE = re.compile(
    rf"(?<![\w])(?:{_COOKIE_CUE})(?=[^.!?؟]{{0,200}}?(?:{_COOKIE_TERM}|سياسة الخصوصية|"
    rf"شروط الاستخدام|Privacy Policy))[^.!?؟]{{0,200}}?"
    rf"(?:{_END}+|$|(?= (?:{_BUTTONS})(?![\w]))|(?= {REPORT}(?![\w])))"
    rf"(?:(?: ?(?:{_BUTTONS})(?![\w]))+)?"
)
_BUTTON_RUN = re.compile(rf" ?(?:(?:{_BUTTONS})(?![\w]) ?)+")

# the notice, then the buttons right after it
cookie_spans = _extended("cookie", _COOKIE_RE, _BUTTON_RUN, from_start=False)


# Contact footers of columns: "for the writer: e-mail", "send an SMS starting with code N to
# NNNNN (operator), ..."; taken whole, so no "ثم الرسالة" or "737221 - Zain" is left behind.
# from where a run of address characters starts only (a long run with no "@" is one try)
_EMAIL = r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
OPERATORS = (
    r"زين|موبايلي|الاتصالات السعودية|الاتصالات|اتصالات|فودافون|أورانج|اورانج|آسيا ?سيل|كورك|"
    r"أوريدو|اوريدو|عمانتل|فيفا|STC|stc|Zain|ZAIN|Mobily|MOBILY|Vodafone|Orange|Asiacell|Korek|"
    r"Ooredoo|Omantel|Etisalat|Viva|du"
)
_FOOTER_CUE = (
    r"للتواصل مع (?:الكاتب|الكاتبة|كاتب المقال|المحرر)|للتواصل|لمراسلة (?:الكاتب|الكاتبة)|"
    r"تواصل مع (?:الكاتب|الكاتبة)|راسل (?:الكاتب|الكاتبة)|للتعليق على (?:هذا )?المقال|"
    r"(?:أرسل|ارسل|أرسلوا) (?:رسالة|رسالة قصيرة|رسالة نصية|SMS)"
)
_FOOTER_WORD = (
    r"أرسل|ارسل|أرسلوا|رسالة|الرسالة|رسائل|قصيرة|نصية|SMS|sms|تبدأ|يبدأ|تبدأ|بالرمز|برمز|الرمز|"
    r"رمز|بالكود|كود|الكاتب|الكاتبة|مع|ثم|إلى|الى|على|عبر|الرقم|رقم|أرقام|بعد|مسافة|أو|او|"
    r"البريد|الإلكتروني|الالكتروني|إيميل|ايميل|هاتف|جوال|فاكس|للتواصل|تواصل|لمراسلة|"
    r"شركة|شبكة|لمشتركي|لعملاء|مشتركي|عملاء|من|E-?mail|email|Email"
)
_FOOTER_TOKEN = (
    rf"{_EMAIL}|\d[\d ]{{0,12}}\d|\d|(?:و)?(?:{OPERATORS})(?![\w])|(?:{_FOOTER_WORD})(?![\w])|"
    r"و(?=\s)|[:\-–،,/()]"
)
_FOOTER_RUN = rf"(?:\s*(?:{_FOOTER_TOKEN}))*+"  # possessive: "1 2 3" parses one way only
_FOOTER_RE = re.compile(rf"(?<![\w])(?:{_FOOTER_CUE})(?![\w]){_FOOTER_RUN}")
# a fragment of a footer with nothing else after it, at the end of a paragraph
MAX_FOOTER_TAIL = 300  # characters
_FOOTER_TAIL_RE = re.compile(rf"{_START}(?:{_FOOTER_TOKEN}){_FOOTER_RUN}\s*$")
_FOOTER_PAYLOAD = re.compile(
    rf"{_EMAIL}|(?<![\w])(?:و)?(?:{OPERATORS}|SMS|sms|الرسالة|رسالة|بالرمز|الرمز|برمز)(?![\w])"
)


def footer_spans(text: str) -> list[Span]:
    spans = []
    for m in _FOOTER_RE.finditer(text):
        if _FOOTER_PAYLOAD.search(m.group(0)):
            spans.append(Span("footer", m.start(), m.end()))
    if not spans:
        # a fragment is short: looking only at the paragraph's end keeps a long run of
        # digits or dashes from being tried at every one of its starts
        m = _FOOTER_TAIL_RE.search(text, max(0, len(text) - MAX_FOOTER_TAIL))
        if m and _FOOTER_PAYLOAD.search(m.group(0)) and _has_letters(m.group(0)):
            spans.append(Span("footer", m.start(), m.end()))
    return spans


# "last updated" / "published" stamps: a cue, then dates and times only
_DAYPART = r"(?: ?(?:صباحًا|صباحا|مساءً|مساء|ص|م|AM|PM|am|pm|GMT|بتوقيت [^\s\d]+)(?![\w]))?"
_DATETIME = (
    rf"\d{{1,2}}:\d{{2}}(?::\d{{2}})?{_DAYPART}|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}|"
    r"\d{1,2} [^\s\d.،]{2,12} \d{4}|"
    r"(?:السبت|الأحد|الاحد|الإثنين|الاثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة)"
)
_STAMP_RE = re.compile(
    rf"(?<![\w])(?:آخر تحديث|اخر تحديث|تاريخ النشر|تاريخ التحديث|تم النشر|تم التحديث|"
    rf"نشر في|نشر بتاريخ|Updated|Last updated|Published)(?: ?:| في| بتاريخ)? ?"
    rf"(?:{_DATETIME})(?:(?: ?[-,،|] ?| )(?:{_DATETIME}))*"
)

stamp_spans = _matches("stamp", _STAMP_RE)


def _has_letters(s: str) -> bool:
    return any(c.isalpha() for c in s)


DETECTORS: dict[str, Callable[[str], list[Span]]] = {
    "code": code_spans,
    "markup": html_spans,
    "share": share_spans,
    "read_also": read_also_spans,
    "image_credit": credit_spans,
    "source": source_spans,
    "subscribe": subscribe_spans,
    "cookie": cookie_spans,
    "footer": footer_spans,
    "stamp": stamp_spans,
}


REASONS = {
    "code": "CSS/JavaScript/JSON tokens", "markup": "an HTML tag, attributes or entity",
    "share": "share-bar items with a platform, or a comment prompt",
    "read_also": "a read-also header and its headline", "image_credit": "a credit cue",
    "source": "a source cue at a sentence start",
    "subscribe": "a subscribe prompt or a call to follow the site",
    "cookie": "a cookie notice", "footer": "a contact cue with its addresses and numbers",
    "stamp": "an updated/published cue with dates and times",
}


def find_spans(text: str, skip: frozenset[str] = frozenset()) -> list[Span]:
    """Non-overlapping spans of all kinds (earliest first, the longest at one start)."""
    found = [s for kind, detect in DETECTORS.items() if kind not in skip for s in detect(text)]
    found = [replace(s, text=s.text or text[s.start:s.end], reason=s.reason or REASONS[s.kind])
             for s in found if s.end > s.start]
    found.sort(key=lambda s: (s.start, -s.end))
    out: list[Span] = []
    for s in found:
        if out and s.start < out[-1].end:
            continue
        out.append(s)
    return out
