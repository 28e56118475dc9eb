"""Code and prose written for the tests (issue 22): style sheets, scripts and JSON as
scrapers leave them in the text of Arabic pages, and Arabic news sentences in the manner of
Levantine, Gulf, North African and wire outlets. None of it comes from ../shared/data.
"""

from __future__ import annotations

# (kind, code): CSS, JavaScript and JSON of the widgets pages carry (polls, galleries, ads,
# players, counters), each written once, with selectors, at-rules, vendor prefixes, colours,
# units, statements, calls, object literals, comments.
CODE: tuple[tuple[str, str], ...] = (
    ("css", "#vote-box ol { padding-left: 0; list-style-type: none; } #vote-box ol li label "
            "{ display: block; cursor: pointer; }"),
    ("css", ".album-strip .thumb img { -webkit-transition: opacity .3s ease; -o-transition: "
            "opacity .3s ease; transition: opacity .3s ease; opacity: 0.85; }"),
    ("css", "@font-face { font-family: 'Naskh Web'; src: url(/fonts/naskh.woff2) "
            "format('woff2'); font-display: swap; }"),
    ("css", "@media only screen and (min-width: 768px) and (max-width: 1024px) { .grid-3 > "
            "div { width: 48%; float: right; } }"),
    ("css", "a.more-link:hover, a.more-link:focus { color: #0b5ed7; border-bottom: 1px "
            "dotted #9ab; }"),
    ("css", ".ticker { background: rgba(0, 0, 0, .6); height: 2.4rem; line-height: 2.4rem; "
            "-moz-box-sizing: border-box; box-sizing: border-box }"),
    ("css", "@keyframes pulse { 0% { transform: scale(1); } 50% { transform: scale(1.08); } "
            "100% { transform: scale(1); } }"),
    ("js", "document.querySelectorAll('.lazy-img').forEach(function (img) { img.src = "
           "img.dataset.src; img.classList.remove('lazy-img'); });"),
    ("js", "jQuery('.tabs-nav a').click(function (ev) { ev.preventDefault(); jQuery(this)"
           ".parent().addClass('on').siblings().removeClass('on'); });"),
    ("js", "const counter = document.getElementById('views'); let n = parseInt(counter"
           ".textContent, 10) || 0; counter.textContent = n + 1;"),
    ("js", "/* player */ var playerCfg = { autostart: false, mute: true, width: '100%', "
           "aspectratio: '16:9', sources: [{ file: '/media/clip-22.mp4' }] };"),
    ("js", "window.addEventListener('scroll', () => { if (window.scrollY > 400) { "
           "topBtn.style.display = 'block'; } else { topBtn.style.display = 'none'; } });"),
    ("js", "setTimeout(function () { $('#newsletter-pop').fadeIn(250); }, 8000);"),
    ("js", "(window.adQueue = window.adQueue || []).push({ slot: 'mpu-2', sizes: [[300, 250], "
           "[300, 600]] });"),
    ("json", "{\"@type\": \"BreadcrumbList\", \"itemListElement\": [{\"@type\": \"ListItem\", "
             "\"position\": 1, \"name\": \"اقتصاد\"}]}"),
    ("json", "{\"poll_id\": 4471, \"options\": [\"نعم\", \"لا\", \"لا أعرف\"], \"closed\": "
             "false, \"votes\": [812, 390, 77]}"),
    ("json", "[{\"id\": 19, \"title\": \"الطقس\", \"slug\": \"weather\"}, {\"id\": 20, "
             "\"title\": \"رياضة\", \"slug\": \"sport\"}]"),
)

# Arabic news sentences (written for these tests), one per outlet style.
PROSE: tuple[str, ...] = (
    "أعلنت بلدية طرابلس عن إغلاق جزئي لشارع المعرض لمدة أسبوع بسبب أعمال صيانة شبكة "
    "الصرف الصحي.",
    "وقال مدير الدفاع المدني إن فرقه أخمدت الحريق قبل أن يمتد إلى المحال المجاورة في سوق "
    "الخضار.",
    "وسجلت بورصة الدار البيضاء ارتفاعا طفيفا في ختام تداولات الأسبوع مدفوعة بأسهم البنوك.",
    "أفادت هيئة الأرصاد بأن موجة غبار ستضرب المناطق الشرقية مساء الخميس مع رياح نشطة.",
    "وأكد وزير التربية أن امتحانات البكالوريا ستجري في موعدها رغم الإضراب الذي دعت إليه "
    "النقابات.",
    "واستقبل أمير المنطقة وفدا من رجال الأعمال لبحث فرص الاستثمار في قطاع السياحة.",
)

# prose that holds Latin-script names and terms: no code in any of it
LATIN_IN_PROSE: tuple[str, ...] = (
    "وطرحت شركة Samsung هاتفها Galaxy S9 في الأسواق المحلية بسعر يبدأ من 3200 ريال.",
    "وقال المتحدث لشبكة CNN إن المفاوضات (التي استضافتها جنيف) ستستأنف الأسبوع المقبل.",
    "ونشر الحساب الرسمي للنادي على Instagram صورا من حصة التدريب صباح اليوم.",
    "وبلغت نسبة النمو 3.5% في الربع الثاني وفق بيانات صندوق النقد الدولي IMF.",
    "ويمكن للمواطنين التسجيل عبر الموقع www.example.gov.jo/register قبل نهاية الشهر.",
    "وأشار التقرير إلى أن تطبيق Uber: سيتوقف عن العمل في المدينة؛ بسبب خلاف ضريبي.",
)
