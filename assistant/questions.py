"""What a question asks for, read without a model: its language, its type (a number, a name, a reason,
a comparison …), its keywords with their IDF weights, and its anchors (numbers, Latin names, quoted
titles) that a passage answering it should share.

Ranking, answer-sentence selection and abstention all read the same ``QuestionInfo``; the patterns
here are deliberately coarse: the learned models (``ranking.py``) decide how much each one counts.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from .errors import ConfigError
from .keywords import STOPWORDS, dictionary_frequency, tagged_words, tokenize, without_possessive
from .prompts import language_of

QUESTION_TYPES = ("number", "who", "when", "where", "why", "how", "compare", "list", "fact")

# "What was Ubras's revenue in 2021?" asks a sum, as "营收是多少" does
_EARNINGS_EN = (r"\bwhat (?:was|were|is|are) (?:the )?(?:[\w&.\-]+ ){0,4}[\w&.\-]+(?:'s?|’s?) (?:\([^)]*\) )?"
                r"(?:[\w\-]+ ){0,2}?(?:revenues?|sales|net profits?|profits?|GMV|GDP|turnover|valuation)\b")

_TYPE_PATTERNS = [
    # "有什么区别" asks for a comparison; "与去年相比，营收增长了多少" / "Compared with …, how much" asks for a
    # number, so the weaker comparison words only count when no other type matches (below)
    ("compare", re.compile(r"区别|不同|差异|差别|异同|不一样|\bvs\b|versus|differ", re.I)),
    # "被称为什么 / 更名为什么" is 为 + 什么 ("called what"), not 为什么 ("why")
    ("why", re.compile(r"(?<![称誉名编现聘列视定译选评成作改换变转算之])为什么|为何|为啥|原因|何以|缘何|怎么会|怎么回事|咋回事|\bwhy\b|\bhow come\b|"
                       r"what (?:led|caused|drove|made|prompted)|\breasons?\b", re.I)),
    ("number", re.compile(r"多少|(?<!哪)几[个家年月天次位名款辆台倍成]?|多大|多高|多长|多久|多远|多快|多重|多贵|比例|占比|份额|"
                          r"百分之|增速|增长率|市值|估值|规模|金额|营收|收入|\bhow (?:many|much|large|big|far|long|"
                          r"fast|high|old|often|tall|heavy|deep|wide)\b|\bwhat (?:share|percentage|proportion|portion|"
                          r"fraction|valuation|temperature|price|commission|fee|(?:final )?score)\b|\bvalued at\b|"
                          r"\bfinal score\b|"
                          r"\b(?:number|amount|valuation|revenue|price|cost|rate|total|population|size) of\b|"
                          r"\bwhat(?:'s| is| was| are| were) (?:the )?(?:[\w&.'’\-]+ ){0,4}?(?:driving range|"
                          r"battery capacity|registered capital|budget|deficit|lead time|ratio|rating|salary|CPM)\b|"
                          + _EARNINGS_EN, re.I)),
    # "when" asks only opening the question or before its verb ("…, when did it open?"); "What commission can agents
    # earn when they sell …" asks for a figure
    ("when", re.compile(r"何时|什么时候|哪一?年|哪一?天|哪个月|几月|几号|^\W*when\b|\bsince when\b|\bwhen (?:did|does|do|is|are|was|"
                        r"were|will|would|has|have|had|can|could|should)\b|\b(?:what|which) (?:year|date|month|day)\b",
                        re.I)),
    # "哪些 / 哪几家" asks for several things (names, places, traits): a list, answered at list length
    # "List the …" asks for a list; "the Hurun Rich List" names one
    ("list", re.compile(r"哪些|哪几|包括什么|\bwhat are (?:the )?\w+s\b|(?:^|[.?!;:]\s*)(?:please\s+)?list\b", re.I)),
    ("who", re.compile(r"谁|哪位|哪家|哪个|哪款|哪支|什么公司|什么机构|什么品牌|叫什么|名字|名称|\bwho(?:m|se)?\b|"
                       r"\bwhich\b|\bwhat (?:company|firm|brand|name|organi[sz]ation)\b|\bnamed?\b", re.I)),
    ("where", re.compile(r"哪里|哪儿|在哪|何地|何处|什么地方|哪个(?:城市|国家|地区)|\bwhere\b", re.I)),
    ("compare", re.compile(r"对比|相比|相较|比起|compar", re.I)),
    ("how", re.compile(r"如何|怎么|怎样|怎么样|\bhow (?:do|does|did|can|could|will|would|is|are|was|were)\b", re.I)),
]

# asks for a person (the answer is a person's name, which the name cue's patterns do not see: "张伟", "李娜")
_PERSON_ASK = re.compile(r"谁|哪位|叫什么名字|\bwho(?:m|se)?\b|\b(?:which|what)\s+(?:\w+\s+)?(?:actor|actress|person|people|"
                         r"executive|founder|ceo|chairman|chairwoman|author|writer|director|spokesperson|singer|player|"
                         r"star|celebrity|scientist|entrepreneur|president|manager|host|anchor)s?\b", re.I)

_SMALL_TALK = re.compile(
    r"(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|thanks?(?: a lot)?|thank you(?: very much)?|thx|"
    r"ok|okay|bye|goodbye|你好|您好|嗨|哈喽|哈啰|在吗|在不在|谢谢|多谢|感谢|好的|早上好|下午好|晚上好|再见|拜拜)"
    r"(?: there| all| everyone|呀|啊|哦|吗|你)?")
_FREE_NUMBER = re.compile(r"(?<![A-Za-z\d.,])\d+(?:[.,]\d+)*(?![A-Za-z\d])")
_NUMBER_NAME = re.compile(r"(?<![A-Za-z\d])\d+(?:\.\d+)?[A-Za-z][A-Za-z\d]*")
_ASKED_UNIT = re.compile(r"(?:多少|(?<!哪)几)([\u4e00-\u9fff])")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9&+.\-']*[A-Za-z0-9+]|[A-Z]")
# 'quoted' in English: the opening quote not after a letter ("can't", "Amazon's"), the closing one not before one
_SINGLE_QUOTED = re.compile(r"(?<![A-Za-z])['‘][^'‘’\n]{1,60}['’](?![A-Za-z])")
_TITLE = re.compile(r"《([^》]{1,30})》")  # a work's title
_QUOTED = re.compile(_TITLE.pattern + r"|“([^”]{1,30})”|「([^」]{1,30})」|\"([^\"]{1,30})\"")
_EN_FUNCTION = STOPWORDS | frozenset(
    """what whats how many much did does do is are was were has have had the of in on at to for from by with
    and or its it his her their there this that these those which who whom whose when where why as an a
    i you we they he she me my our your after before during into about than then so also did get got
    s t new first last year years month months day days company companies china chinese""".split())


# -- the fact a question asks for, by name ------------------------------------------------------------

@dataclass(frozen=True)
class AskedFact:
    """A fact a question can ask for by name (a founder, a valuation, a registered capital) and the words any
    sentence stating it holds. A near miss names a company the articles know and a fact they don't state; its
    closest sentences then talk about the company without the word: "隅田川咖啡的创始人是谁？" finds sentences on
    隅田川's sales, none with 创始/创办/创立. The forms are deliberately broad (a synonym missed here would turn
    an answer into "not covered"), so they only catch the plain misses."""

    name: str  # what the abstention note calls it, in Chinese and English
    name_en: str
    types: tuple[str, ...]  # question types where the words ask for the fact (not "AMD的CEO苏姿丰…的薪酬")
    asks: re.Pattern
    forms: re.Pattern
    replaces: tuple[str, ...] = ()  # the broader facts it stands for when asked ("发行价" is the price asked, not "售价")

    def stated_in(self, text: str, heading: str = "") -> bool:
        return bool(self.forms.search(f"{heading} {text}"))


def _fact(name: str, name_en: str, types: str, asks: str, forms: str, replaces: str = "") -> AskedFact:
    return AskedFact(name, name_en, tuple(types.split()), re.compile(asks, re.I), re.compile(forms, re.I),
                     tuple(replaces.split()))


_W, _E = r"(?<![A-Za-z])", r"(?![A-Za-z])"  # English word edges that also hold next to Chinese characters
_RIGHTS = r"版权|授权|licen[cs]|rights"
_NOT_A_DATE = r"(?<![\d.])\d+(?:\.\d+)?(?![\d.]|\s*[年月日])"  # a figure, not "2010年"
# "30亿元人民币", "200万美元", "30亿越南盾"
_MONEY_FIGURE = r"\d[\d.,]*\s*[万亿千百兆]*\s*[\u4e00-\u9fff]{0,3}?(?:元|币|盾|镑|卢比|比索|法郎|马克|里拉|卢布|美金)"
_HOW_MUCH = r"(?=[^，。,；;？?]{0,10}?(?:多少|几))"  # followed, within the clause, by the question word
# a person's age, birth year or school is asked of the person a title names: "Which university did Knowunity's CEO
# Benedict Kurz attend?" asks the school, and a sentence naming him CEO does not answer it
_TITLES = "创始人 CEO 董事长 总经理"
ASKED_FACTS = (
    # "who founded", not "the shop that she co-founded" (the shop's name is asked there)
    _fact("创始人", "founder", "who", rf"创始人|创办人|创立者|创办者|谁创办|谁创立|{_W}(?:co-?)?founders?{_E}|"
          rf"{_W}who (?:\w+ )?(?:co-?)?founded{_E}|founded by",
          # "创立于2019年" dates the company and names no founder; "由周远创立于…" names one
          # nor does "2013年成立的茶里" (the year before 成立)
          r"创始|缔造|由[^，。；]{1,12}(?:创办|创立|创建|成立|发起)|(?:创办|创立|创建|(?<![年月日])成立|发起)(?!于)|合开|合办|"
          r"开办|founder|founded(?! in)"),
    _fact("CEO", "CEO", "who", rf"{_W}CEO{_E}|首席执行官|行政总裁|{_W}chief executive",
          r"CEO|首席执行官|行政总裁|总裁|掌门|一把手|掌舵|负责人"),
    _fact("董事长", "chairman", "who", rf"董事长|董事会主席|{_W}chair(?:man|woman|person)?{_E}",
          r"董事长|董事会主席|主席|掌门|掌舵|负责人"),
    _fact("总经理", "general manager", "who", rf"总经理|{_W}general manager", r"总经理|总裁|负责人|GM"),
    # "who (co-)led X's round", not "X's Sequoia-led round" (its valuation is asked there)
    _fact("领投方", "lead investor", "who",
          r"领投|lead investor|(?<![\w-])(?:co-)?led(?= (?:[\w.&'’-]+ ){0,6}?(?:round|funding))", r"领投|牵头|主导|领衔|独家"),
    _fact("资助方", "funder", "who", rf"资助|{_W}funded by|{_W}sponsor", r"资助|支持|赞助|资金|基金|funded"),
    _fact("成立时间", "founding date", "when",
          rf"(?:成立|创立|创办|创建)(?:于|的)?(?:哪|何|什么时候)|哪一?年(?:成立|创立|创办|创建)|{_W}(?:founded|established){_E}",
          # "建于1885年的班夫国家公园" dates a park's founding
          r"成立|创立|创办|创建|设立|诞生|始于|建于|始建|建立|founded|established"),  # not 创始: "创始人储峰" dates nothing
    _fact("出生年份", "birth year", "when number", rf"出生|生于|哪年生|{_W}born{_E}", r"出生|生于|岁|年生",
          replaces=_TITLES),
    # "本科生史蒂夫", "两个大学生" (students) name no school
    _fact("学历", "education", "who when where fact", rf"本科|毕业于|哪所大学|什么学历|学历是|{_W}graduated from|"
          rf"{_W}which (?:universit(?:y|ies)|colleges?){_E}|{_W}degree from|{_W}alma mater",
          r"毕业|本科(?!生)|大学(?!生)|学院|学历|硕士|博士|学位|学士|MBA",
          replaces=_TITLES),
    _fact("总部", "headquarters", "where who fact", rf"总部|{_W}headquarter", r"总部|位于|坐落|落户|设在|based"),
    _fact("估值", "valuation", "number", rf"估值|{_W}valuation|{_W}valued{_E}", r"估值|市值|valuation|valued"),
    _fact("市值", "market value", "number", rf"市值|{_W}market (?:cap|value)", r"市值|估值"),
    # a registered capital is a sum of money told of as one: not "…出资百亿牵手奇瑞" (a heading on a share purchase)
    # for the capital of the joint venture it sets up (4 helpers)
    _fact("注册资本", "registered capital", "number", r"注册资本|registered capital",
          rf"(?:注册资本|注册资金|注资|出资)[^。；;]{{0,30}}?{_MONEY_FIGURE}|{_MONEY_FIGURE}[^。；;]{{0,30}}?(?:注册资本|注资|出资)"),
    _fact("售价", "price", "number",
          rf"售价|起售价|定价|起价|总价|卖多少钱|(?:收费|费用){_HOW_MUCH}|{_W}(?:starting |retail |selling |list )?prices?{_E}|"
          rf"{_W}priced{_E}", r"售价|价格|定价|起售|起价|元起|报价|卖|价|收费|费用|price|fee"),
    # what a service charges ("What fee does Apple charge merchants per transaction?"): a sum or a rate told of a fee or
    # price, not a sentence on the service ("And how much does he charge for a haircut?" is answered by "理发388元")
    _fact("收费", "fee", "number", rf"{_W}fees?{_E}|{_W}charge[sd]?{_E}|手续费|服务费|会员费",
          r"费|价|收取|[\d十百千万]\s*(?:元|块|美元|美分|港元|欧元|英镑|日元)|[$¥￥€£]\s*\d|\d\s*%|fee|price|charge|cost|free"),
    _fact("薪酬", "pay", "number", rf"薪酬|薪资|工资|年薪|{_W}compensation|{_W}salar(?:y|ies)|{_W}pay package|"
          rf"{_W}(?:annual|median|average|mean|base|total) pay{_E}",
          r"薪酬|薪资|工资|年薪|月薪|收入|薪|报酬"),
    _fact("月活", "monthly active users", "number", rf"月活|{_W}MAUs?{_E}|monthly active", r"月活|MAU|活跃|月均"),
    _fact("收盘价", "closing price", "number", r"收盘|closing price|closed at", r"收盘|收于|报收|收报|收涨|收跌"),
    # "比分", not "和7月相比分别是多少"
    # a match's score ("2:1") or a judged one in points ("94.50分"); not "final score", which English questions ask of a
    # judged event as often (the skier's 94.50 sits third among the likeliest and the check would abstain)
    _fact("比分", "score", "number", rf"(?<![相对类])比分(?!别)",
          r"比分|\d+\s*[:：比-]\s*\d+|\d+(?:\.\d+)?\s*分(?![钟之别期])"),
    _fact("导演", "director", "who list", rf"导演|执导|{_W}directors?{_E}|{_W}directed by|{_W}who directed",
          r"导演|执导|编导|监制|director|directed"),
    _fact("粉丝数", "follower count", "number", rf"粉丝|{_W}followers{_E}|{_W}subscribers{_E}",
          r"粉丝|关注|订阅|follower|subscriber|fans"),
    # the money words count only when the Chinese question asks their amount: "把营收和利润做大，靠什么？" does not
    _fact("营收", "revenue", "number fact", rf"(?:营收|营业收入|营业额|总收入|收入){_HOW_MUCH}|多少(?:营收|收入)|"
          # "分账票房" is a film's take from revenue sharing ("How much did it take in from revenue sharing?")
          rf"{_W}revenues?{_E}|{_W}turnover{_E}", r"营收|收入|营业额|收益|销售额|销售|流水|分账|GMV|revenue|turnover|sales"),
    _fact("净利润", "net profit", "number fact", rf"(?:净利润|净利|利润|盈利|亏损){_HOW_MUCH}|"
          rf"{_W}(?:net )?profits?{_E}|{_W}net (?:income|loss){_E}|{_W}earnings{_E}",
          r"利润|净利|分润|盈利|亏损|净亏|亏|赚|profit|income|earnings|loss"),
    _fact("市场份额", "market share", "number fact", rf"份额|市占率|占有率|{_W}market share",
          r"份额|占|市占|share"),
    _fact("流水", "gross billings", "number fact", rf"流水|{_W}gross billings|{_W}grossed{_E}",
          r"流水|收入|营收|billings|revenue|grossed"),
    _fact("门店数", "store count", "number", rf"(?:门店|店铺|分店)(?:数|数量)?{_HOW_MUCH}|多少家(?:门店|店|分店)|"
          rf"几家(?:门店|店|分店)|{_W}how many (?:\w+ )?(?:stores|shops|outlets|restaurants){_E}",
          r"店|餐厅|网点|stores|shops|outlets|restaurants"),
    # an area is given in its units ("850万平方米", "55平米", "1.601 km²"): "苏明买入一套位于西安…的loft公寓" tells of the flat,
    # not its size
    _fact("面积", "area", "number", rf"面积|{_W}(?:floor|land|built-up|gross|total) area{_E}|"
          rf"{_W}square (?:feet|foot|meters?|metres?|kilometers?|kilometres?){_E}",
          r"平方|平米|㎡|㎢|[kK]?m[²2](?![\d])|[\d一二三四五六七八九十百千万]\s*(?:平(?![台均衡方])|亩|公顷)|square|\bsq\b|acres?|"
          r"hectares?"),
    _fact("人口", "population", "number fact", rf"人口{_HOW_MUCH}|多少人口|{_W}population{_E}", r"人口|居民|population"),
    # a car's range and a battery's capacity are given in their units ("续航里程达到600公里", "4000mAh"): not a price
    _fact("续航", "driving range", "number fact", rf"续航|{_W}(?:driving|battery) range{_E}", r"续航|里程|公里|千米|km"),
    _fact("电池容量", "battery capacity", "number fact", rf"电池容量|{_W}battery capacity{_E}",
          r"容量|mAh|毫安|[kK]?Wh|度电"),
    # "the developer of Axie Infinity", a game's developer; not a property developer ("Which developer won the most
    # plots?")
    _fact("研发方", "developer", "who fact", rf"哪家[^，。,？?]{{0,8}}(?:研发|开发)|(?:研发|开发)(?:商|方|者)是|"
          rf"{_W}developed by|{_W}developer of{_E}|{_W}(?:game|app|software|chip|drug|model)s? developer|"
          rf"{_W}who developed",
          r"研发|开发|出品|研制|打造|工作室|developer|developed|studio"),
    _fact("设计者", "designer", "who", rf"设计师|设计者|总设计|谁设计|{_W}designers?{_E}|{_W}designed by|{_W}who designed",
          r"设计|design"),
    # a listing's own figures: the price per share and the money raised, not a product's price or a funding round
    _fact("发行价", "IPO price", "number fact", rf"发行价|招股价|每股[^，。,？?]{{0,6}}(?:定价|价格|多少)|"
          rf"{_W}(?:IPO|offer(?:ing)?|issue) price|{_W}per share{_E}|{_W}price[sd]? (?:\w+ )?IPO",
          r"发行价|招股价|每股|定价|issue price|offer price|per share", replaces="售价"),
    _fact("募资额", "IPO proceeds", "number fact", rf"募资|募集[^，。,？?]{{0,4}}(?:资金|多少)|募得|"
          rf"{_W}raise[sd]? in (?:\w+ ){{0,3}}IPO|{_W}IPO (?:proceeds|raise)|{_W}(?:aim|plan|hope|seek)s?(?:ing)? to "
          rf"raise[^,?]{{0,20}}IPO", r"募资|募集|募得|筹集|筹资|集资|raise|proceeds"),
    _fact("年龄", "age", "number fact", rf"多大年纪|多少岁|几岁|年龄|{_W}how old{_E}|{_W}age{_E}",
          r"岁|年龄|出生|生于|年生|(?<![A-Za-z])aged?(?![A-Za-z])|years old|born", replaces=_TITLES),
    # "What was China's transport production index (CTSI) for March 2022?": an index named in English, not "which index"
    _fact("指数", "index", "number fact", rf"{_W}(?:PMI|CPI|PPI|CTSI){_E}|指数{_HOW_MUCH}|{_W}(?<!which )index{_E}",
          r"PMI|CPI|PPI|CTSI|指数|index"),
    # R&D spending is told as such ("研发投入", "研发费用"): "腾讯2021年的研发投入" is not answered by its net profit
    _fact("研发投入", "R&D spending", "number fact", rf"研发(?:投入|费用|支出|开支)|{_W}R&D{_E}|{_W}research and development",
          r"研发|R&D|research"),
    # what rights were bought for ("《老友记》的版权花了多少钱？") is stated by a figure told of the rights, not by the show's
    # audience figures (5 helpers asked it, no article states one)
    _fact("版权费", "licence fee", "number fact",
          rf"(?:版权|授权)费|版权[^，。,？?]{{0,8}}(?:花了?|多少钱)|{_W}(?:licen[cs]ing|licen[cs]e|rights|copyright) fees?{_E}|"
          rf"{_W}pa(?:y|ys|id) for (?:the )?(?:[\w'’]+ ){{0,2}}(?:rights|licen[cs]e){_E}",
          rf"(?:版权|授权)费|(?:{_RIGHTS})[^。；;]{{0,20}}?{_NOT_A_DATE}|{_NOT_A_DATE}[^。；;]{{0,20}}?(?:{_RIGHTS})"),
    # what was paid in amends ("谷歌给受影响的用户提供了什么补偿？", "给玩家赔了多少钱？") is told as such, not by the fix or the
    # theft (English "compensation" is mostly pay: 薪酬)
    _fact("赔偿", "compensation", "number fact", r"补偿|赔偿|赔付|赔(?:了|给|多少)|违约金",
          r"补偿|赔|违约金|罚|支付|退款|返还|退还|报销|compensat|refund|reimburs"),
    # a sum invested ("中创新航在合肥新建的电池基地总投资是多少？", "How much is SMIC investing in its new fab?") is told as
    # invested, not by the company's funding round or the plant's capacity (12 helpers' near misses, none answerable)
    _fact("投资额", "sum invested", "number fact",
          rf"总投资|投资总额|投资(?:了|额)?{_HOW_MUCH}|{_W}total investment{_E}|"
          rf"{_W}how much (?:\w+ ){{0,4}}?invest(?:ed|ing|s)?{_E}",
          r"投资|投入|出资|斥资|耗资|注资|砸下|豪掷|invest"),
    _fact("票房", "box office", "number fact", rf"票房|{_W}box[- ]office{_E}", r"票房|box office|gross"),
    # a rank ("瑜伽排第几？", "Where does he rank on the list?"): a place given, not the list's length ("TOP20", "前五位");
    # a near miss's closest sentence tells of the list and gives no place
    _fact("排名", "rank", "number fact who where", rf"(?:排|排名|排在|位列|名列|位居)[^，。,？?]{{0,4}}第几|第几(?:名|位)|"
          rf"{_W}(?:where|what place|which place|what position) (?:\w+ ){{0,8}}?rank(?:ed|s)?{_E}|"
          rf"{_W}(?:what|which) (?:rank|ranking|place) (?:did|does|do|is|was|were){_E}",
          r"第\s*[\d一二两三四五六七八九十]+\s*(?:名|位|大)?|榜首|首位|居首|冠军|亚军|季军|"
          r"(?:排名|位列|名列|位居|排在)(?:全球|全国|国内|世界)?[\d一二两三四五六七八九十]|No\.\s*\d|\d+(?:st|nd|rd|th)\b|"
          r"(?<![A-Za-z])(?:ranked|ranks|place)(?![A-Za-z])"),
    # a product's model is letters and digits or a brand and digits ("EOS R5", "骁龙820"), or called one (型号): "用哪个型号的
    # 电子显微镜" is not answered by a sentence on the microscope's work
    _fact("型号", "model", "who fact", rf"(?:哪个|哪款|什么|哪一)型号|型号是|{_W}(?:which|what) (?:[\w-]+ )?model{_E}",
          r"型号|[A-Za-z][- ]?\d|\d[A-Za-z]|[\u4e00-\u9fff]\d{3,}(?![\d.,%年月日号万亿元台个家人件款辆部只次名位])"),
)


# an issue price broken: the share or count of listings that fell below it is asked, not the price ("跌破发行价的新股占多少",
# "what share of new listings had broken their IPO price")
_PRICE_BROKEN = re.compile(r"(?:跌破|低于)发行价|\b(?:broken|broke|below|under)(?: their| its)? (?:IPO|offer(?:ing)?|issue) "
                           r"prices?\b", re.I)


def asked_facts(text: str, qtype: str) -> tuple[AskedFact, ...]:
    """The named facts ``text`` asks for: their words, in a question of the type that asks for them."""
    text = _PRICE_BROKEN.sub("破发", text)
    asked = [f for f in ASKED_FACTS if qtype in f.types and f.asks.search(text)]
    replaced = {name for f in asked for name in f.replaces}
    return tuple(f for f in asked if f.name not in replaced)


# a year the question dates its figure to ("2021年全年的营收"), not the date of an event ("2022年2月被曝离职的…"), the
# start of a span ("2018-2020年") nor a year compared with ("比2020年少了多少"); and the years a sentence dates its
# figures to, not those it compares with ("较2021年同期", "与2020年相比", "2019年以来")
_ASKED_YEAR = re.compile(r"(?<![\d比较])((?:19|20)\d{2})(?!\d)(?!\s*年\s*\d{1,2}\s*(?:[-–~至到]\s*\d{1,2}\s*)?月)"
                         r"(?!年?\s*[-–~至到]\s*(?:19|20)?\d{2})")
# what follows an amount that looks like a year: "租金只有2000出头", "售价1999元", "2000多人" name no year
_AN_AMOUNT = (r"(?!\s*(?:多|余|出头|[万亿千百]|元|块|美元|港元|欧元|日元|人|名|位|家|个|款|辆|台|件|张|份|条|套|种|次|吨|米|"
              r"公里|平|亩|[%％]|点|倍|股|mAh|GB))")
_NAMED_YEAR = re.compile(r"(?<![\d较比])((?:19|20)\d{2})(?!\d)(?!\s*年?\s*(?:以来|相比|同期|以前|之前|前后|起))" + _AN_AMOUNT)
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年?\s*[-–~至到]\s*((?:19|20)\d{2})(?!\d)")
# counted from the day of writing; "同年" / "当年" refer back to a year the sentence names: they count as naming none
_RELATIVE_YEAR = re.compile(r"今年|去年|前年|\bthis year\b|\blast year\b", re.I)
_YEARS_BACK = {"今年": 0, "去年": 1, "前年": 2, "this year": 0, "last year": 1}


def dated(text: str, date: str) -> str:
    """``text`` with "今年" / "去年" written as the years they are in an article of ``date`` (ISO 8601): "今年1-4月" in an
    article of 2022 gives no figure for 2021."""
    if not date[:4].isdigit():
        return text

    def year(m: re.Match) -> str:
        word = m.group().lower()
        return f"{int(date[:4]) - _YEARS_BACK[word]}" + ("" if word.isascii() else "年")

    return _RELATIVE_YEAR.sub(year, text)


class NamedByTemplate:
    """A checked fact whose name, shown when no sentence states it ("没有提到2021年的数字"), is a template over its
    own fields: ``NAME`` and ``NAME_EN``, formatted with ``self``."""

    NAME: ClassVar[str] = ""
    NAME_EN: ClassVar[str] = ""

    @property
    def name(self) -> str:
        return self.NAME.format(self=self)

    @property
    def name_en(self) -> str:
        return self.NAME_EN.format(self=self)


@dataclass(frozen=True)
class AskedYear(NamedByTemplate):
    """The year a number question dates its figure to. A near miss asks for a year the articles give no figure
    for, and its closest sentence gives another year's ("卡游2021年全年的营收…" finds "该公司2020年营收约为30亿元")."""

    year: str

    NAME: ClassVar[str] = "{self.year}年的数字"
    NAME_EN: ClassVar[str] = "figure for {self.year}"

    def stated_in(self, text: str, heading: str = "") -> bool:
        """True unless the sentence ``text`` (under ``heading``) dates its figures to other years only: one naming no
        year, or "去年", may well be about the year asked, when it gives a figure of its own at all."""
        dated = f"{heading} {text}"
        named = set(_NAMED_YEAR.findall(dated))
        spans = [range(int(a), int(b) + 1) for a, b in _YEAR_SPAN.findall(dated)]
        return dates_it(self.year in named or any(int(self.year) in span for span in spans), bool(named),
                        bool(_RELATIVE_YEAR.search(dated)), text)


def asks_figure(text: str, qtype: str) -> bool:
    """A number question, or one asking a figure by name ("What was AMD's revenue for 2021?" is typed a fact
    question): the years and months it names date that figure."""
    return qtype == "number" or (qtype in ("fact", "who") and any("number" in f.types and f.asks.search(text)
                                                                   for f in ASKED_FACTS))


# what a figure is compared with, not the period it is asked for: "和9月比降了多少？" is answered by "比上月下降0.3点"
_COMPARED_BASE = re.compile(r"(?:和|跟|与|同)\s*(?:(?:19|20)\d{2}\s*年|\d{1,2}\s*月份?)\s*(?:相比|比)|"
                            r"(?:比|较)\s*(?:(?:19|20)\d{2}\s*年|\d{1,2}\s*月份?)")


def asked_years(text: str, qtype: str) -> tuple[AskedYear, ...]:
    """The years a question dates its figure to."""
    if not asks_figure(text, qtype):
        return ()
    # nor a year in a work's title ("《2022人工智能教育蓝皮书》一共收回了多少份有效问卷？" asks no 2022 figure)
    text = _COMPARED_BASE.sub(" ", _TITLE.sub(" ", text))
    return tuple(AskedYear(y) for y in dict.fromkeys(_ASKED_YEAR.findall(_EN_MONTH_YEAR.sub(" ", text))))


# a figure other than a date: "3月3日发布了2021年第四季度财报" gives none
_DATE = re.compile(r"(?:19|20)\d{2}(?!\d)" + _AN_AMOUNT + r"\s*年?|\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{1,2}\s*[日号]")
# "一个" / "一家" alone is an article, not a figure ("一个中国带货网红")
_FIGURE_GIVEN = re.compile(r"\d|(?:[二两三四五六七八九十百千]|一(?=[十百千万亿]))[一二两三四五六七八九十百千]*[万亿千百]?"
                           r"(?:元|美元|家|个|人|倍|成|台|辆|次|亿|万)")


_PUBLISHER = re.compile(r"36\s*氪|36kr", re.I)  # "36氪获悉，…" names the publisher, no figure


def gives_figure(text: str) -> bool:
    return bool(_FIGURE_GIVEN.search(_DATE.sub(" ", _PUBLISHER.sub(" ", text))))


def a_figure(text: str) -> bool:
    """Whether a sentence gives a figure: in digits, a sum or a count, a measure in Chinese numerals ("两平方公里"), or a
    half ("一半以上病人…")."""
    return gives_figure(text) or bool(_MEASURED.search(text)) or bool(re.search(r"一半|半数|过半|大半", text))


_MEASURED = re.compile(r"(?:[二两三四五六七八九十百千]|一(?=[十百千万亿]))[一二两三四五六七八九十百千万亿]*(?:平方|公里|千米|米|吨|"
                       r"公斤|千克|克|亩|公顷|个月|年|天|小时|分钟|岁|周|倍|成|部|座|所|名|位|款|件|套|条|只)")


@dataclass(frozen=True)
class AskedFigure:
    """Any figure: a number question asks one whatever else it names. A near miss's likeliest sentences tell of the
    thing and give none ("…的首期基金规模有多大？" answered with the fund's founding)."""

    name: str = "数字"
    name_en: str = "figure"

    def stated_in(self, text: str, heading: str = "") -> bool:
        return a_figure(text)


def dates_it(asked: bool, others: bool, relative: bool, text: str) -> bool:
    """Whether a sentence may give the figure for the year, month or part of the year asked: it names that one
    (``asked``), or it gives a figure of its own and names no other (``others``) or a time counted from the day of
    writing ("去年", "本月": ``relative``)."""
    return asked or (gives_figure(text) and (not others or relative))


_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_MONTH_NAME = (r"(jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?"
               r"|nov(?:ember)?|dec(?:ember)?)")
# a month a number question dates its figure to ("2022年8月的产量", "in August 2022"), not a day ("3月13日"), a month's
# end ("截至7月底"), a range ("1-8月", "January to May"), a baseline ("比去年12月回升了多少") or an event's date
# ("2022年2月被曝离职的…"); and the months a sentence dates its figures to, ranges and ends included, not a day
# ("11月3日公布的10月PMI" gives October's)
_ASKED_MONTH = re.compile(r"(?<![\d\-–~至到])(?<![比较]去年)(?<![比较]上年)(\d{1,2})\s*月份?"
                          r"(?!\s*(?:\d|[日号底末初中上下]|[-–~至到]|被|曝|发布|宣布|上线|推出|"
                          r"离职|上任|成立|举行|召开|开始|起|以来|之?后|之?前|期间|时))")
_ASKED_MONTH_EN = re.compile(rf"\b(?:in|for|during) {_MONTH_NAME}\b"
                             rf"(?!\s*(?:-|–|—|to|through|until|and)\s*{_MONTH_NAME})", re.I)
# "January 17, 2022", "in February 2022": the month or the day dates the figure, as "2022年2月" does, not the year
_EN_MONTH_YEAR = re.compile(rf"\b{_MONTH_NAME}\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?,?\s+(?:19|20)\d{{2}}\b", re.I)
_NAMED_MONTH = re.compile(r"(?<!\d)(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])")
# "比上月下降0.3点" compares with the month before and dates nothing
_RELATIVE_MONTH = re.compile(r"本月|当月|(?<![比较])上个?月|同月|this month|last month", re.I)


@dataclass(frozen=True)
class AskedMonth(NamedByTemplate):
    """The month a number question dates its figure to. A near miss asks for a month the articles give no figure for,
    and its closest sentence gives the months before it ("8月的产量" finds "1-7月…", "截至7月底…")."""

    month: int

    NAME: ClassVar[str] = "{self.month}月的数字"
    NAME_EN: ClassVar[str] = "{self.month_en} figure"

    @property
    def month_en(self) -> str:
        return calendar.month_name[self.month] if 1 <= self.month <= 12 else f"month {self.month}"

    def stated_in(self, text: str, heading: str = "") -> bool:
        """True unless the sentence ``text`` (under ``heading``) names other months only; one naming none, or "本月",
        may be about the month asked, when it gives a figure of its own."""
        dated = f"{heading} {text}"
        named = {int(m) for m in _NAMED_MONTH.findall(dated)}
        return dates_it(self.month in named, bool(named), bool(_RELATIVE_MONTH.search(dated)), text)

    def named_in(self, text: str) -> bool:
        """Whether the sentence names the month itself (not only no other one)."""
        return self.month in {int(m) for m in _NAMED_MONTH.findall(text)}


def asked_months(text: str, qtype: str) -> tuple[AskedMonth, ...]:
    if not asks_figure(text, qtype):
        return ()
    text = _COMPARED_BASE.sub(" ", text)
    months = [int(m) for m in _ASKED_MONTH.findall(text)]
    months += [_MONTHS.index(m.group(1).lower()[:3]) + 1 for m in _ASKED_MONTH_EN.finditer(text)]
    return tuple(AskedMonth(m) for m in dict.fromkeys(months) if 1 <= m <= 12)


# a funding round: "A轮", "B+轮", "Pre-A轮", "天使轮", "Series B", "seed round"; "本轮", "新一轮" name none of them
_ROUND = re.compile(r"(?<![A-Za-z0-9-])(pre[-\s]?[a-f]\+?|pre[-\s]?ipo|[a-f]\d?\s*[+＋]?)\s*轮|(天使|种子)\s*[+＋]?\s*轮"
                    r"|\bseries[\s-]*([a-f]\d?\+?)(?![A-Za-z])|\b(angel|seed|pre-a)\s+round\b", re.I)
_ROUND_NAMES = {"天使": "ANGEL", "种子": "SEED"}
_EARLIER_ROUND = re.compile(r"(?:距离?|继|上轮)[^，。；]{0,4}$")  # "距上轮B+轮融资仅2个月", "继A轮之后": a round to date from


def funding_rounds(text: str, told: bool = False) -> set[str]:
    """The funding rounds ``text`` names, written one way ("PRE-A", "B+", "ANGEL"); ``told``: only those a sentence
    tells, not the earlier round it dates its news from."""
    names = set()
    for m in _ROUND.finditer(text):
        if told and _EARLIER_ROUND.search(text[max(0, m.start() - 6):m.start()]):
            continue
        name = next(g for g in m.groups() if g)
        name = _ROUND_NAMES.get(name, name).upper().replace(" ", "").replace("＋", "+")
        names.add("PRE-" + name[3:].lstrip("-") if name.startswith("PRE") else name)
    return names


@dataclass(frozen=True)
class AskedRound:
    """The funding round a question asks about. A near miss asks for a round the articles say nothing of, and its
    closest sentence tells another round of the same company ("虎头局的Pre-A轮融了多少钱？" finds its A round)."""

    round: str

    @property
    def name(self) -> str:
        return {"ANGEL": "天使", "SEED": "种子"}.get(self.round, self.round.replace("PRE-", "Pre-")) + "轮融资"

    @property
    def name_en(self) -> str:
        if self.round.startswith("PRE-"):
            return self.round.replace("PRE-", "Pre-") + " round"
        return {"ANGEL": "angel round", "SEED": "seed round"}.get(self.round, f"Series {self.round} round")

    def stated_in(self, text: str, heading: str = "") -> bool:
        """True unless ``text`` names other rounds only: a sentence naming none ("本轮融资由…领投") may be about it."""
        named = funding_rounds(f"{heading} {text}", told=True)
        return not named or self.round in named


def asked_rounds(text: str, qtype: str) -> tuple[AskedRound, ...]:
    return tuple(AskedRound(r) for r in sorted(funding_rounds(text))) if qtype != "why" else ()


# the part of a year a figure covers: a quarter, a half, the first three quarters, the whole year
_L, _R = r"(?<![A-Za-z\d])", r"(?![A-Za-z\d])"  # edges of a Latin token that also hold next to Chinese ("、Q3与")
_PERIODS = (
    ("Q1", rf"(?:第?[一1]|首)季度|{_L}(?:Q1{_R}|1Q(?=\d{{2}}{_R}))|{_W}first quarter"),
    ("Q2", rf"第?[二2]季度|{_L}(?:Q2{_R}|2Q(?=\d{{2}}{_R}))|{_W}second quarter"),
    ("Q3", rf"(?<!前)第?[三3]季度|{_L}(?:Q3{_R}|3Q(?=\d{{2}}{_R}))|{_W}third quarter"),
    ("Q4", rf"第?[四4]季度|{_L}(?:Q4{_R}|4Q(?=\d{{2}}{_R}))|{_W}fourth quarter"),
    ("H1", rf"上半年|前半年|前[六6]个月|{_L}H1{_R}|{_W}first half|{_W}first (?:six|6) months"),
    ("H2", rf"下半年|后半年|{_L}H2{_R}|{_W}second half"),
    ("Q1-3", rf"前[三3]个?季度|前[九9]个月|{_W}first (?:three|3) quarters|{_W}first (?:nine|9) months"),
    ("FY", rf"全年|年度|{_W}full[- ]year|{_W}whole year|{_W}annual|{_W}fiscal (?:year )?(?:19|20)\d{{2}}"),
)
_PERIOD = [(name, re.compile(pattern, re.I)) for name, pattern in _PERIODS]
_PERIOD_NAMES = {"Q1": ("第一季度", "first quarter"), "Q2": ("第二季度", "second quarter"),
                 "Q3": ("第三季度", "third quarter"), "Q4": ("第四季度", "fourth quarter"),
                 "H1": ("上半年", "first half"), "H2": ("下半年", "second half"),
                 "Q1-3": ("前三季度", "first three quarters"), "FY": ("全年", "full year")}
# a year on its own ("2021年营收"), not one a part of the year follows ("2021年前三季度", "2021上半年", "2021 Q3")
_WHOLE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)\s*年?(?!\s*(?:第?[一二三四1-4]季度|前[三3六6九9]|[上下前后]半年|Q[1-4]|H[12]|"
                         r"\d|[-–~至到]|年))")


def year_periods(text: str) -> set[str]:
    """The parts of a year ``text`` names ("上半年" → H1, "fourth quarter" → Q4, "全年" → FY)."""
    return {name for name, pattern in _PERIOD if pattern.search(text)}


@dataclass(frozen=True)
class AskedPeriod:
    """The part of a year a question dates its figure to. A near miss asks for a period the articles give no figure
    for, and its closest sentence gives another's ("宁德时代2021年全年的净利润" finds "2021年前三季度净利润…")."""

    period: str

    @property
    def name(self) -> str:
        return f"{_PERIOD_NAMES[self.period][0]}的数字"

    @property
    def name_en(self) -> str:
        return f"{_PERIOD_NAMES[self.period][1]} figure"

    def stated_in(self, text: str, heading: str = "") -> bool:
        """True unless the sentence ``text`` (under ``heading``) names other parts of the year only; a year named on
        its own in the sentence ("2021年营收") may be the whole year's figure, and a sentence naming none may be about the
        part asked, when it gives a figure of its own."""
        dated = f"{heading} {text}"
        named = year_periods(dated)
        whole_year = self.period == "FY" and bool(_WHOLE_YEAR.search(text))
        return dates_it(self.period in named or whole_year, bool(named), False, text)


def asked_periods(text: str, qtype: str) -> tuple[AskedPeriod, ...]:
    return tuple(AskedPeriod(p) for p in sorted(year_periods(text))) if qtype in ("number", "fact", "who") else ()


# a sum of money: the answer's number is in 元 / 美元, or in 万 / 亿 of them ("4000万美元", "15亿元")
_MONEY_ASKED = re.compile(r"多少钱|花了多少|值多少|多少[\u4e00-\u9fff]{0,2}?(?<![消耗浪])费(?!者|用户)|"
                          r"(?:估值|售价|价格|票价|身价|融资|募资|罚款|赔偿|薪酬|年薪|工资|投资额|总投资|金额|(?<![消耗浪])费用?)"
                          r"(?:是|为|有|达到?|了|降到了?|降至|涨到了?|定在|大概|大约|一共|共)?多少|多少[亿万千]?(?:元|美元|港元|欧元|日元|英镑)"
                          r"|\bhow much (?:money|ransom|funding|cash|compensation)\b"
                          r"|\bhow much (?:did|does|do|will|would|was|were|is|are|has|have)\b.*\b(?:raise|pay|"
                          r"paid|cost|spend|spent|earn|earned|make|made|invest|invested|worth|sell for|sold for|charge|"
                          r"fine|fined|commit|committed|pledge|pledged|put|putting|demand|demanded|owe|owed|offer|"
                          r"offered|receive|received|gross|grossed)\b|\bwhat (?:price|valuation|salary|fine)\b|"
                          r"\bvalued at\b", re.I)
_MONEY = ("元", "美元", "欧元", "英镑", "日元", "港元", "万", "亿")
# between a number and its unit: "2000+ 元", "30多家", "100余人" are amounts too
AMOUNT_TAIL = r"\s*(?:\+|多|余)?\s*"


_NUMBER_THEN = r"(?:\d|[一二两三四五六七八九十百千万亿])" + AMOUNT_TAIL  # a number, then its unit


def states_unit(text: str, units: tuple[str, ...] | list[str]) -> float:
    """1 when a number in ``text`` carries one of the units the question asks for ("多少起" → "42起")."""
    return 1.0 if any(re.search(_NUMBER_THEN + re.escape(u), text) for u in units) else 0.0


# a sum: a number in 元 / 美元 …, or in 万 / 亿 of them, not 万 / 亿 of something else ("2.14亿支", "数十亿台设备")
_SUM = re.compile(_NUMBER_THEN + r"(?:元|美元|欧元|英镑|日元|港元|块钱|"
                  r"[万亿](?![支人次件台辆吨个家份股头只条张册部户套间名位款座所场]))")


@dataclass(frozen=True)
class AskedAmount:
    """A sum of money a number question asks for ("收购花了多少钱", "How much does the game cost?"). A near miss's
    closest sentence tells of the deal or the product and gives no sum: none with 元, 美元, 万 or 亿 after a number."""

    name: str = "金额"
    name_en: str = "amount of money"
    final: bool = False  # what a sale fetched in the end ("最后一共卖了多少钱"), which a starting price is not

    def stated_in(self, text: str, heading: str = "") -> bool:
        text = _STARTING_PRICE.sub(" ", text) if self.final else text
        # "会员数量已超过500万" counts people: 万 or 亿 with no currency after a word for a count is no sum
        return any(re.search(r"[元币钱]", m.group()) or not _COUNTED_BEFORE.search(text[max(0, m.start() - 10):m.start()])
                   for m in _SUM.finditer(text))


_COUNTED_BEFORE = re.compile(r"(?:数量?|人数|用户|会员|粉丝|观众|玩家|员工|次数|人次|销量|出货量|下载量|装机量|播放量)"
                             r"(?:已经|已|就|超过|突破|达到?|为|约|近|逾|共|总计|累计|有|是|了|\s)*[\d.,]*$")


# "东莞首批集中供地的8宗地最后一共拍出了多少钱？" (five near misses of our sets, in other words each time) is not answered by
# a sentence giving only the batch's starting price (起拍总价 and a sum): the price an auction starts from is no price it
# ended at
_FINAL_SALE = re.compile(r"(?:最后|最终|最终的)[^，。？?]{0,8}?(?:卖|拍|成交|售)|(?:成交|拍卖)(?:总?价|总额|金额)", re.I)
_STARTING_PRICE = re.compile(r"(?:起拍|起始|挂牌|底)总?价[^，。；\d]{0,6}?[\d.,]+\s*(?:多|余)?\s*[万亿]?(?:元|美元|港元|欧元)?")


# a revenue or a profit asked as such ("…在中国iOS上的收入有多少？") is a sum, not a place on the revenue chart ("收入前5"); not a
# word that asks (``asking_words``): the question's subject is looked for without it
_EARNINGS_ASKED = re.compile(r"(?:营收|营业收入|收入|销售额|营业额|净利润|GMV|流水)(?:是|为|有|大概|大约|一共|共)?多少(?![倍个家])|"
                             + _EARNINGS_EN, re.I)


def asked_amounts(text: str, qtype: str) -> tuple[AskedAmount, ...]:
    final = bool(_FINAL_SALE.search(text))
    if qtype != "number" or not (_MONEY_ASKED.search(text) or _EARNINGS_ASKED.search(text)
                                 or final and re.search(r"价|钱|金额|总额", text)):
        return ()
    return (AskedAmount(final=final),)


# the measure words a count is given in, each with those an answer may count the same things in ("多少人" → "300名员工");
# "个" counts anything ("多少位数字" → "82个数字")
_COUNTERS = {"人": "人名位", "名": "名人位", "位": "位名人", "张": "张", "份": "份", "辆": "辆台", "台": "台部辆",
             "部": "部台", "瓶": "瓶", "家": "家所", "所": "所家", "次": "次起", "款": "款", "座": "座", "件": "件",
             "只": "只", "条": "条", "套": "套", "架": "架", "艘": "艘", "户": "户家", "枚": "枚颗", "颗": "颗枚",
             "本": "本", "篇": "篇"}
# "第几名" asks a rank, which no count gives
_COUNTED = re.compile(r"(?:多少|(?<![哪第])几)([人名位张份辆台部瓶家所次款座件只条套架艘户枚颗本篇])(.?)")
# the measure word is a noun's first character ("多少人口", "多少份额", "多少本地人才"): the answer need not repeat it
# (not 家电: "多少家电商平台" counts platforms in 家)
_NOUNS = {"人口", "人民", "名额", "名字", "名次", "名称", "名单", "位置", "份额", "部分", "部门", "家庭", "家居", "台湾",
          "条件", "条款", "款项", "款式", "本金", "本土", "本地", "本身", "次数", "件事", "座位", "套餐"}


@dataclass(frozen=True)
class AskedCount:
    """A count a number question asks for in a measure word ("卖出多少份", "拍多少张照片", "几名投资者"). A near miss's
    closest sentence tells of the course, the photos or the investors and counts none of them: no number carries the
    measure word (nor one an answer counts the same things in: "多少人" → "300名")."""

    counters: str
    few: bool = False  # "几家": a small count, which an answer may give by listing them ("A、B、C和D")
    name: str = "数量"
    name_en: str = "count"
    things: bool = True  # a count of things, which 个 may count too; how often is not ("两个习惯" is no 两遍)

    def stated_in(self, text: str, heading: str = "") -> bool:
        counters = [*self.counters, "个"] if self.things else list(self.counters)
        # an ordinal counts nothing: "世界上第一台能完成OCR任务的设备" says how many were sold no more than "第二枚"; nor
        # does a lone 一, the article "a" ("展示过一台…机器")
        text = _ONE.sub("", _NUMBERED.sub("", text))
        # or the count named, then given: "搜索的次数达80亿", "员工人数为300"
        named = any(re.search(re.escape(c) + r"数(?:量)?[^，。；;]{0,6}?" + _NUMBER_THEN, text) for c in counters)
        return bool(states_unit(text, counters)) or named or (self.few and text.count("、") >= 2)


_NUMBERED = re.compile(r"第[\d一二两三四五六七八九十百千]+")
_ONE = re.compile(r"(?<![\d.一二两三四五六七八九十百千万亿几多])一(?![\d一二两三四五六七八九十百千万亿多余])")


# "How many times did the author read it?": how often, which the articles count in 次, 遍 or 回 ("读了三遍"); not "how many
# times larger" (倍)
_TIMES_ASKED = re.compile(r"\bhow many times (?:did|do|does|has|have|had|was|were|is|are|will|would|can|could)\b", re.I)


# "How many employees / stores / cars …": what the articles count in 名, 家 or 辆 (not users or members, whose count they
# give as "用户数达1.2亿"); opening the question
_COUNTED_EN = re.compile(r"^\W*(?:[^,?]{0,40},\s*)?(?:roughly |about |approximately )?how many (?:[\w\-]+ ){0,2}?"
                         r"(employees|staff|workers|people|stores|shops|outlets|restaurants|cars|vehicles)\b", re.I)
_COUNTERS_EN = {"employees": "人名位", "staff": "人名位", "workers": "人名位", "people": "人名位", "stores": "家",
                "shops": "家", "outlets": "家", "restaurants": "家", "cars": "辆台", "vehicles": "辆台"}


def asked_counts(text: str, qtype: str) -> tuple[AskedCount, ...]:
    if qtype != "number" or _MONEY_ASKED.search(text):
        return ()
    if _TIMES_ASKED.search(text):
        return (AskedCount("次遍回", things=False),)
    # asked first: a follow-up searched with the previous question ("What share … lock up How many cars did Hertz …?")
    # asks what its own words do
    if m := _COUNTED_EN.search(text):
        return (AskedCount(_COUNTERS_EN[m.group(1).lower()]),)
    return tuple(AskedCount(_COUNTERS[m.group(1)], m.group(0).startswith("几")) for m in _COUNTED.finditer(text)
                 if m.group(1) + m.group(2) not in _NOUNS)


# -- the place and the ordinal a question names -------------------------------------------------------------

PLACES_FILE = Path(__file__).resolve().parent / "data" / "places.tsv"


@dataclass(frozen=True)
class Place:
    name: str  # as the articles write it: "上海"
    kind: str  # region, country, province or city
    parent: str  # the place that contains it: "广东" for "深圳", "" for a region
    english: tuple[str, ...]  # "shanghai"; short ones ("us", "uk") match upper case only


def _read_places() -> tuple[dict[str, Place], dict[str, str]]:
    """The places by name, and each Chinese spelling's name ("印尼" → 印度尼西亚)."""
    places, spellings = {}, {}
    for line in PLACES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            names, english, kind, parent = line.split("\t")
            name = names.split(",")[0]
            places[name] = Place(name, kind, parent, tuple(e for e in english.split(",") if e))
            spellings.update((spelling, name) for spelling in names.split(","))
    return places, spellings


PLACES, _SPELLINGS = _read_places()
# longest first: 上海 of "上海南京路", 印度尼西亚 before 印度
_PLACE_ZH = re.compile("|".join(sorted(map(re.escape, _SPELLINGS), key=len, reverse=True)))
_PLACE_EN = {e: p.name for p in PLACES.values() for e in p.english}
_PLACE_EN_WORD = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(map(re.escape, _PLACE_EN), key=len, reverse=True))
                            + r")(?![A-Za-z])", re.I)
# a tier of cities, or the whole country, is not any one city: "一线城市的新房价格比上月低了0.1%" does not give Beijing's
# tiers of cities and the scopes wider than a city or province: "全球门店数为382家" is not Chengdu's count
_TIERS = re.compile(r"[一二三四五]线城市|[一二三四]线及|新一线|一二线|三四线|全国|全球|全世界|海外|内地")
_DOMESTIC = ("province", "city")


# a place inside a name: "红杉美国", "特斯拉中国", "Tesla China", "Caixin China"; not "在上海", "12月北京的", "in Shanghai"
_BEFORE_PLACE = re.compile(r"[在的和与及、对向从到于是为给赴去来往至同跟比了年月日号里中]$|[^\u4e00-\u9fff]$|^$")
_EN_NAME_BEFORE = re.compile(r"\b(?!(?:In|For|Of|At|From|What|How|Which|Who|Did|Does|Is|Was|And)\b)[A-Z][\w'&-]*\s+$")


def places_named(text: str, own: bool = False) -> set[str]:
    """The places ``text`` names, as the articles write them ("Shanghai" → 上海, "印尼" → 印度尼西亚). ``own``: only
    those it names on their own, not inside a company's name ("红杉美国", "Tesla China"), as a question asks them."""
    named = set()
    for m in _PLACE_ZH.finditer(text):
        if not own or _BEFORE_PLACE.search(text[max(0, m.start() - 1):m.start()]):
            named.add(_SPELLINGS[m.group(0)])
    for m in _PLACE_EN_WORD.finditer(text):
        word = m.group(1)
        inside_a_name = own and _EN_NAME_BEFORE.search(text[:m.start()])
        if (len(word.replace(".", "")) > 3 or word.isupper()) and not inside_a_name:  # "US", not "us"
            named.add(_PLACE_EN[word.lower()])
    return named


def _lineage(name: str) -> set[str]:
    """The place and those containing it: 深圳, 广东, 中国, 亚洲."""
    line = set()
    while name in PLACES and name not in line:
        line.add(name)
        name = PLACES[name].parent
    return line


@dataclass(frozen=True)
class AskedPlace:
    """A place a question names for its fact ("上海有多少家门店", "北京12月的房价"). A near miss's closest sentence gives
    the fact for other places: "开设近390家门店，分布在大连、南京、北京…" for Shanghai's stores, the first-tier cities'
    prices for Beijing's."""

    place: str

    @property
    def english(self) -> tuple[str, ...]:
        """Its English names, lower-cased ("us", "united states")."""
        return PLACES[self.place].english

    @property
    def domestic(self) -> bool:
        """A Chinese city or province, not a country or region ("China" is the scope of most articles)."""
        return PLACES[self.place].kind in _DOMESTIC

    @property
    def name(self) -> str:
        return f"{self.place}的情况"

    @property
    def name_en(self) -> str:
        english = self.english
        return f"figure for {english[0].title() if english else self.place}"

    def stated_in(self, text: str, heading: str = "", passage: str | None = None) -> bool:
        """True unless the sentence (or its heading) names other places of the same scope only: a Chinese city or
        province asked meets other cities, provinces or tiers of cities; a country or region meets other countries
        or regions. A place containing the one asked, or inside it, counts as naming it ("广东" for 深圳, "上海" for
        China); a sentence naming none may be about the Chinese city or province asked when its ``passage`` names that
        or a place inside it: the nation's "商品房销售额18.2万亿元" is not Beijing's."""
        said = re.sub(r"中国(?=香港|澳门|台湾)", "", f"{heading} {text}")  # "中国香港" names Hong Kong, not all of China
        named = {n for n in places_named(said) if (PLACES[n].kind in _DOMESTIC) == self.domestic}
        if self.domestic and _TIERS.search(said):
            named.add("tier")
        asked = _lineage(self.place)
        if not named:
            around = f"{heading} {passage}"
            return passage is None or not self.domestic or any(
                self.place in _lineage(n) for n in places_named(around)) or (
                self.place == "香港" and bool(_HONG_KONG_MARKET.search(around)))
        return any(n in asked or self.place in _lineage(n) for n in named)


# Hong Kong's market, where "listed in Hong Kong" is told ("登陆港股", "港交所")
_HONG_KONG_MARKET = re.compile(r"港股|港交所|联交所|港元|港币")


def asked_places(text: str, qtype: str) -> tuple[AskedPlace, ...]:
    """The places a question names for its fact; a why-question's reason and a comparison's sides need not name them."""
    return tuple(AskedPlace(p) for p in sorted(places_named(text, own=True))) if qtype not in ("why", "compare") else ()


# -- the year a when-question asks for -------------------------------------------------------------------------

_ASKS_YEAR = re.compile(r"哪一?年|\b(?:in )?(?:what|which) year\b", re.I)
# a year a sentence gives: "1589年", "嘉靖四十四年", "公元前25年", "去年", "2021 Q3"; "此前" and "近期" give none
_YEAR_GIVEN = re.compile(r"(?<!\d)\d{2,4}\s*年|[〇零一二三四五六七八九十百千]{2,}年|[今去明前]年|同年|当年|公元|"
                         r"(?<![\d.])(?:1\d|20)\d{2}(?![\d.])")


# "哪个城市", "which country": the kind of place a question asks for
_ASKS_PLACE_KIND = [("city", re.compile(r"哪[个座一]?城市|什么城市|\b(?:which|what) city\b", re.I)),
                    ("province", re.compile(r"哪个省|哪一?省份|\b(?:which|what) province\b", re.I)),
                    ("country", re.compile(r"哪个国家|哪一?国(?![内际产])|什么国家|\b(?:which|what) country\b", re.I))]
# what jieba tags as a place and may be one the gazetteer lacks ("衡阳", "马达加斯加"): not a region ("亚太区", "非洲"), nor
# the words it tags as places that are none ("上市", "海外", "国内")
_SOME_PLACE = re.compile(r"(?!上市|市场|海外|国内|国外|境内|境外|内地|全球|全国)[\u4e00-\u9fff]{2,6}(?<![区洲])")
# a city by its suffix ("衡阳市"), not "市场", "市值", "上市", "城市" or a "市民"
_CITY_SUFFIX = re.compile(r"[\u4e00-\u9fff]{2,3}(?<![上城超股门])市(?![场值民面])")


# a province named by its suffix ("安大略省"), not the verb 省 ("节省成本", "省下一笔钱", "省心") nor "全省", "各省"
_PROVINCE_SUFFIX = re.compile(r"[\u4e00-\u9fff]{2,4}(?<![节俭反自内全本外各该我两三几多一每])省(?![钱时力心略去下份会得事吃])")


@dataclass(frozen=True)
class AskedRegion(NamedByTemplate):
    """A region of China a number question names ("2021年东北地区的商品房销售额", "西部地区开了AI课的学校比例"): the national
    figures of the article it finds name no region, and a region's figure is told as the region's (eight near misses
    of our files)."""

    region: str

    NAME: ClassVar[str] = "{self.region}地区的数字"
    NAME_EN: ClassVar[str] = "figure for that region"

    def stated_in(self, text: str, heading: str = "") -> bool:
        return self.region in f"{heading} {text}"


_REGION = re.compile(r"(东部|西部|中部|东北|华东|华南|华北|华中|西南|西北)(?:地区|区域|区(?![域别分隔间]))")


def asked_regions(text: str, qtype: str) -> tuple[AskedRegion, ...]:
    return tuple(AskedRegion(m.group(1)) for m in _REGION.finditer(text)) if qtype == "number" else ()


@dataclass(frozen=True)
class AskedPlaceKind:
    """The kind of place a question asks for ("首个项目落在哪个城市？", "In which country…"). A near miss's closest
    sentence tells of the project or the ceremony and names no place of that kind ("在中国成立…" names a country, not
    a city). A place the gazetteer lacks counts when jieba tags it as one and the gazetteer does not know it as a place
    of another kind, or by its suffix ("衡阳市", "湖南省")."""

    kind: str

    @property
    def name(self) -> str:
        return {"city": "城市", "province": "省份", "country": "国家"}[self.kind]

    @property
    def name_en(self) -> str:
        return self.kind

    def stated_in(self, text: str, heading: str = "") -> bool:
        # the gazetteer files 北京, 上海 and the other municipalities as provinces: they answer "哪个城市" too
        kinds = ("city", "province") if self.kind == "city" else (self.kind,)
        if any(PLACES[n].kind in kinds for n in places_named(text)):
            return True
        suffix = {"city": _CITY_SUFFIX, "province": _PROVINCE_SUFFIX}.get(self.kind)
        if suffix and suffix.search(text):
            return True
        other = {"city": "国省", "province": "国", "country": "省市"}[self.kind]  # suffixes of places of other kinds
        return any(tag == "ns" and (PLACES[_SPELLINGS[w]].kind in kinds if w in _SPELLINGS
                                    else _SOME_PLACE.fullmatch(w) and w[-1] not in other)
                   for w, tag in tagged_words(text))


def asked_place_kinds(text: str) -> tuple[AskedPlaceKind, ...]:
    return tuple(AskedPlaceKind(kind) for kind, pattern in _ASKS_PLACE_KIND if pattern.search(text))


# "哪天", "几月几号", "截止日期", "On what date": a day, not a year or a month
_ASKS_DATE = re.compile(r"哪一?天|几月几[日号]|几号|什么日期|截止日期|具体日期|\b(?:on )?what date\b|\bwhich day\b", re.I)
_DAY_GIVEN = re.compile(r"\d{1,2}\s*[日号]|[一二三四五六七八九十廿]{1,3}[日号]|\d{1,2}/\d{1,2}|\d{4}-\d{1,2}-\d{1,2}|今[天日]|昨[天日]|"
                        r"前[天日](?!前)|当[天日]|同日|次日|翌日|周[一二三四五六日末]|星期|礼拜|"
                        r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b", re.I)


@dataclass(frozen=True)
class AskedDate:
    """The day a question asks for ("截止日期是哪天？", "On what date…"). A near miss's closest sentence tells of the
    deadline or the attack and gives no day: no "3月13日", "13号", "今天" or "March 13"."""

    name: str = "日期"
    name_en: str = "date"

    def stated_in(self, text: str, heading: str = "") -> bool:
        return bool(_DAY_GIVEN.search(text))


def asked_dates(text: str) -> tuple[AskedDate, ...]:
    return (AskedDate(),) if _ASKS_DATE.search(text) else ()


@dataclass(frozen=True)
class AskedOutcome:
    """The final figure of a day's event a number question asks for ("1月20日公布的一年期LPR最终报多少？"). An article
    written before that day cannot state it: its closest sentences forecast it ("一年期LPR可能下调5个基点至10个基点",
    in an article of January 18; ten near misses of our sets). The day is read in the year of the article."""

    month: int
    day: int

    @property
    def name(self) -> str:
        return f"{self.month}月{self.day}日的结果"

    @property
    def name_en(self) -> str:
        return f"outcome of {calendar.month_name[self.month]} {self.day}"

    def after(self, date: str) -> bool:
        """Whether the day comes after an article of ``date`` (ISO 8601) was written."""
        m = re.match(r"\d{4}-(\d{2})-(\d{2})", date)
        return bool(m) and (self.month, self.day) > (int(m.group(1)), int(m.group(2)))


_OUTCOME_DAY = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})[日号](?=[^，。？?]*?(?:最终|最后))")


def asked_outcomes(text: str, qtype: str) -> tuple[AskedOutcome, ...]:
    if qtype != "number":
        return ()
    return tuple(AskedOutcome(int(m.group(1)), int(m.group(2))) for m in _OUTCOME_DAY.finditer(text)
                 if 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31)


@dataclass(frozen=True)
class AskedTime:
    """The year a when-question asks for ("哪一年", "In what year…"). A near miss asks the year of something the
    articles tell without one ("该公司此前就公布过回收流程"): its closest sentence gives no year at all. Only the year: "什么时候"
    is answered in too many ways ("春季化雪的时候", "四国征伐后", "高二的时候") for a sentence to be checked."""

    name: str = "年份"
    name_en: str = "year"
    event: str = ""  # the words telling the event asked of (``_EVENTS``), when the question names one

    def stated_in(self, text: str, heading: str = "") -> bool:
        return bool(_YEAR_GIVEN.search(f"{heading} {text}")) and _tells_event(self.event, f"{heading} {text}")


# a deal closing ("When will the Ekaterra sale close?"), not a store ("When did Qubayu close its stores?")
_DEAL_CLOSES = (r"(?:\b(?:deal|acquisition|transaction|merger|takeover|sale)\b.*\b(?:clos|complet)|"
                r"\b(?:clos|complet)\w* (?:[\w'’-]+ ){0,3}(?:deal|acquisition|transaction|merger|takeover|sale)\b)")

# "什么时候开业", "When will it launch": when a thing opens, launches or starts; the articles often tell that it will
# ("将开放位于长白山的Club Med") and not when
_ASKS_WHEN_DUE = re.compile(r"(?:什么时候|何时|什么时间)[^，。？?]{0,6}?(?:开业|开张|开放|开园|上线|发布|推出|开播|上映|上市|开售|"
                            r"发售|交付|量产|投产|落地|开通|启动|开工|竣工|举办|举行|召开|交割)|"
                            r"\bwhen (?:will|is|are|does|do|did|was|were)\b[^,?]{0,60}?\b(?:open|launch|releas|debut|"
                            r"list|go public|start|begin|ship|deliver|premiere|air)|"
                            r"(?=\bwhen\b.*" + _DEAL_CLOSES + ")", re.I)
# a time a sentence gives, as a year, month, day, season or a time relative to another ("年底", "明年", "三个月后"); not
# an order of events ("继成都店之后")
_TIME_GIVEN = re.compile(r"(?<!\d)\d{1,4}\s*[年月日号]|[〇零一二三四五六七八九十]{1,3}[年月]|[今去明前后]年|同年|当年|年[初底中末内]|"
                         r"[上下]半年|季度|[春夏秋冬][季天节]|月[初底中末]|近日|日前|此前|当天|当日|次日|今天|明天|昨天|目前|"
                         r"[天周月年]后|期间|时候|时期|世纪|年代|周[一二三四五六日末]|星期|即将|尚未|"
                         r"(?<![\d.])(?:1\d|20)\d{2}(?![\d.])|\b(?:january|february|march|april|june|july|august|"
                         r"september|october|november|december|spring|summer|autumn|winter|quarter)\b", re.I)


@dataclass(frozen=True)
class AskedWhen:
    """When a thing opens, launches or starts ("长白山的Club Med什么时候开业？"). A near miss's closest sentence says it
    will ("将开放位于长白山的Club Med") and gives no time at all: no year, month, day, season, "年底" or "三个月后". Only
    these events: other "什么时候" are answered in too many ways ("四国征伐后") for a sentence to be checked."""

    name: str = "时间"
    name_en: str = "time"
    event: str = ""

    def stated_in(self, text: str, heading: str = "") -> bool:
        return bool(_TIME_GIVEN.search(f"{heading} {text}")) and _tells_event(self.event, f"{heading} {text}")


# the event a Chinese when-question asks the time of, and the words a sentence telling it uses: "小鹅拼拼是什么时候上线的？"
# is not answered by a sentence dated 2021 on the business closing, nor "隆基股份是哪一年上市的？" by its founders' school year
_EVENTS = tuple((re.compile(asked), words) for asked, words in (
    ("开业|开张|开园|营业", "开业|开张|开放|开园|营业|开门|开店|落地|迎客"),
    ("上线|发布|推出|开通", "上线|发布|推出|开通|落地|面世|亮相|问世|上架|推向|首发"),
    ("上市", "上市|挂牌|登陆|IPO|敲钟|招股"),
    ("开播|上映", "开播|上映|首播|播出|定档|首映"),
    ("开售|发售", "开售|发售|售卖|销售|上市|预售|开卖"),
    ("交付", "交付|交车|交货"),
    ("量产|投产", "量产|投产|生产"),
    ("开工|动工", "开工|动工|开建|建设"),
    ("竣工", "竣工|完工|建成|落成"),
    ("举办|举行|召开", "举办|举行|召开|开幕"),
    ("交割", "交割|完成"),  # a deal closing: "这笔交易预计什么时候完成交割？"
))


def _event_asked(text: str) -> str:
    return next((words for asked, words in _EVENTS if asked.search(text)), "")


def _tells_event(words: str, text: str) -> bool:
    return not words or re.search(words, text, re.I) is not None


def asked_times(text: str, qtype: str) -> tuple[AskedTime | AskedWhen, ...]:
    if qtype != "when":
        return ()
    if _ASKS_YEAR.search(text):
        return (AskedTime(event=_event_asked(text)),)
    return (AskedWhen(event=_event_asked(text)),) if _ASKS_WHEN_DUE.search(text) else ()


# the units of a duration, a length and a weight (asked_units: the units the answer's number carries)
_DURATION = ("分钟", "小时", "秒", "天", "周", "个月")  # not 年: "2021年" is a date far more often than "3年"
_LENGTH = ("米", "公里", "千米", "厘米", "英里")
_WEIGHT = ("吨", "公斤", "千克", "克", "斤")
# a measure a question asks for in so many words: a duration ("多久", "多长时间内", "how long does it take"), a length
# ("多少公里", "多远"), a weight ("多少吨"); and what a sentence gives it in (a duration in years too: "三年内", "半年")
_ASKS_MEASURE = (
    (re.compile(r"多久|多长时间|多长的?(?:期限|周期|时长|工期|任期)|多少(?:个)?(?:小时|分钟|秒|天|周|个月)|"
                r"\bhow long (?:does|do|did|will|would|can|could|should|is it|was it|has|have)\b|"
                r"\bhow many (?:minutes|hours|days|weeks|months)\b", re.I),
     (*_DURATION, "毫秒", "微秒", "日", "星期", "月", "年", "刻")),
    # not "多高" ("毛利率有多高" asks a rate) nor "how far" ("how far did that beat the target")
    (re.compile(r"多少(?:公里|千米|米|厘米|英里)|多远|\bhow tall\b|\bhow many (?:kilomet|met|mile)", re.I),
     (*_LENGTH, "km", "mile")),
    (re.compile(r"多少(?:吨|公斤|千克|克)|多重|\bhow heavy\b", re.I), (*_WEIGHT, "kg")),
)
_HALF = re.compile(r"半(?:年|个月|小时|天)|几(?:天|年|个月|周|小时)")


@dataclass(frozen=True)
class AskedMeasure:
    """A duration, a length or a weight the question asks for ("最好在多长时间内换工作？", "续航里程是多少公里？"). A near
    miss's closest sentence tells of the job or the car and gives no number in those units ("售价30万元的FF 81")."""

    units: tuple[str, ...]
    name: str = "数值"
    name_en: str = "measure"

    def stated_in(self, text: str, heading: str = "") -> bool:
        return bool(states_unit(text, self.units)) or ("年" in self.units and bool(_HALF.search(text)))


def asked_measures(text: str, qtype: str) -> tuple[AskedMeasure, ...]:
    if qtype in ("why", "compare"):  # a comparison's sides are stated by different sentences
        return ()
    return tuple(AskedMeasure(units) for pattern, units in _ASKS_MEASURE if pattern.search(text))


# "so far", "已经", "到现在": a figure reached, which a target or a promise does not give ("帮助…完成培养6万名…人才的目标"
# for "已经培训了多少名人才", "承诺…每年培训1000名" for "How many has it trained so far?")
_ASKS_SO_FAR = re.compile(r"\bso far\b|\bto date\b|\balready\b|到现在|到目前为止|目前为止|迄今|已经", re.I)
_TARGET = re.compile(r"目标|计划|承诺|有望|预计|力争|争取|将在|将会|打算", re.I)
_REACHED = re.compile(r"已|累计|截至|截止|至今|迄今|目前|如今|达到了|突破了|超过了|共计")


@dataclass(frozen=True)
class AskedSoFar:
    """A figure reached so far ("到现在已经培训了多少名人才？"). A near miss's closest sentence gives the target or the promise
    ("…培养6万名…人才的目标"): a sentence naming a target or a plan and nothing reached does not state it."""

    name: str = "已达到的数字"
    name_en: str = "figure reached so far"

    def stated_in(self, text: str, heading: str = "") -> bool:
        return not _TARGET.search(text) or bool(_REACHED.search(text))


def asked_so_far(text: str, qtype: str) -> tuple[AskedSoFar, ...]:
    return (AskedSoFar(),) if asks_figure(text, qtype) and _ASKS_SO_FAR.search(text) else ()


@dataclass(frozen=True)
class AskedTitle(NamedByTemplate):
    """The work a Chinese number question names in 《》 ("《原神》在日本的收入是多少？"). A near miss's closest sentence gives
    the figure of all the games the article counts ("30款中国手游…合计吸金约34.6亿美元"): one naming neither the work
    nor, in its heading, its section does not state it. Only for a question read on its own: a follow-up's figure is
    told of the work in the sentences before ("Evidence.of")."""

    title: str

    NAME: ClassVar[str] = "《{self.title}》的数字"
    NAME_EN: ClassVar[str] = "figure for {self.title}"

    def stated_in(self, text: str, heading: str = "") -> bool:
        # written with or without its dots and spaces: "《三国志·战略版》" is the article's "《三国志战略版》"
        return _bare(self.title) in _bare(f"{heading} {text}")


def _bare(text: str) -> str:
    return re.sub(r"[\s·・:：\-—]", "", text.lower())


# a product's model in Latin letters and digits: glued ("P7", "GTX1060", "A15") or a capitalised name and a number ("RTX
# 3090", "FF 81", "iPhone 13"); not a quarter or a half ("Q4", "H1"), nor a month and its year ("March 2022"). Or a
# phone maker's Chinese name and a number ("小米12", "魅族18"), not a count or a date ("小米12号员工", "华为3月")
_MODEL = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]+-?\d+[A-Za-z]*|"
                    r"[A-Za-z]*[A-Z][A-Za-z]*\s(?!(?:19|20)\d{2}(?!\d))\d{1,4}|"
                    r"(?:小米|红米|魅族|荣耀|一加|华为|三星)\s?\d{1,3}(?![\d.,%])"
                    r"(?!\s*(?:年|月|日|号|个|家|人|件|款|辆|部|只|次|名|位|万|亿|元|台|岁|周|天|小时|分|倍|成))"
                    r")(?![A-Za-z0-9])")
_NOT_MODEL = re.compile(r"[qh][1-4]", re.I)


def model_names(text: str) -> set[str]:
    """The product models ``text`` names, lower-cased, without spaces and hyphens ("rtx3090", "p7")."""
    return {re.sub(r"[\s-]", "", m).lower() for m in _MODEL.findall(text) if not _NOT_MODEL.fullmatch(m)}


def same_model(one: str, other: str) -> bool:
    """Whether two model names (``model_names``) are one, written in full or shortened: "win10" is "windows10"."""
    if _within(one, other) or _within(other, one):
        return True
    a, b = re.fullmatch(r"([a-z]+)(\d+)", one), re.fullmatch(r"([a-z]+)(\d+)", other)
    return bool(a and b) and a[2] == b[2] and (a[1].startswith(b[1]) or b[1].startswith(a[1]))


def _within(short: str, long: str) -> bool:
    """``short`` in ``long``, not followed by a digit: "x5" is in "x5pro", not in "x50"; "小米1" is not in "小米12"."""
    return any(not long[m.end():m.end() + 1].isdigit() for m in re.finditer(re.escape(short), long))


@dataclass(frozen=True)
class AskedModel(AskedTitle):
    """The product model a number question names ("英伟达RTX 3090 Ti的首发售价是多少？"): a near miss's closest sentence gives
    another model's price ("…GTX1060…官方售价不过2000元"). A sentence naming models, none of them the one asked, does not
    state it; one naming no model may be about it."""

    NAME: ClassVar[str] = "{self.title}的数字"  # no 《》: a model is no work

    def stated_in(self, text: str, heading: str = "") -> bool:
        named = model_names(text)
        return not named or any(same_model(self.title, n) for n in named)


def asked_titles(text: str, qtype: str) -> tuple[AskedTitle, ...]:
    """The works a number question names in 《》, and the product models it names."""
    if qtype != "number":
        return ()
    return (*(AskedTitle(t) for t in dict.fromkeys(_TITLE.findall(text))),
            *(AskedModel(m) for m in sorted(model_names(text))))


# the words that name an index ("综合PMI产出指数", "新订单指数"): after the question's last "的" or "里", without the
# words that date it ("10月份", "全年")
_INDEX_NAME = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,14})指数")
_INDEX_SCOPE = {"中国", "全国", "我国"}
_INDEX_TIME = re.compile(r"^(?:月份?|年度?|季度)|[上下]半年|全年|一?整年|今年|去年|本月|上月|当月")


@dataclass(frozen=True)
class AskedIndex(NamedByTemplate):
    """The index a number question names ("建筑业商务活动指数", "制造业PMI里的新订单指数"): a sentence stating another
    index of the same release (the non-manufacturing one for the construction one) does not give it. Its words must
    all be there."""

    label: str  # as the question writes it, "新订单"
    words: tuple[str, ...]  # its search words

    NAME: ClassVar[str] = "{self.label}指数"
    NAME_EN: ClassVar[str] = "{self.label} index"

    def stated_in(self, text: str, heading: str = "") -> bool:
        said = f"{heading} {text}".lower()
        return all(w in said for w in self.words)


def asked_indexes(text: str, qtype: str) -> tuple[AskedIndex, ...]:
    found = _INDEX_NAME.findall(text) if qtype == "number" else []
    if not found:
        return ()
    # "非制造业那个指数呢？": the words pointing back at the chat's index name none
    name = re.sub(r"[那这][个项一]$", "", _INDEX_TIME.sub("", re.split(r"的|里", found[-1])[-1]))
    words = tuple(w for w in tokenize(name) if len(w) >= 2 and w not in _INDEX_SCOPE)
    return (AskedIndex(name, words),) if words else ()


# opposed qualifiers: a figure told of one side does not answer a question on the other ("安卓端上线一周的收入" is not
# the iOS one of the first week, "上线首月" not "近一周", "财新制造业PMI" not "服务业PMI"); an English question's side is
# matched in its words, the Chinese sentence's in its own ("the Caixin manufacturing PMI" is not "财新…服务业PMI")
_SIDES = tuple((re.compile(a, re.I), re.compile(b, re.I)) for a, b in (
    ("iOS|iPhone|苹果端", "安卓|Android|鸿蒙"), (r"线上|\bonline\b", r"线下|\boffline\b"),
    (r"进口|\bimport(?:s|ed)?\b", r"出口|\bexport(?:s|ed)?\b"),
    (r"直营|\bdirectly[- ]operated\b|\bcompany[- ]owned\b", r"加盟|特许经营|\bfranchis"),
    (r"同比|\byear[- ]on[- ]year\b", r"环比|\bmonth[- ]on[- ]month\b"), ("新增", "累计"),
    (r"男性|男士|男装|\bm(?:en|ale)(?:'s)?\b", r"女性|女士|女装|\bwom(?:en|an)(?:'s)?\b|\bfemale\b"),
    (r"城镇|\burban\b", r"农村|\brural\b"), ("A股", "港股|美股"), ("首月|第一个月", "首周|第一周|一周|首日|第一天"),
    ("批发", "零售"),
    (r"(?<!非)制造业|(?<!non-)\bmanufacturing\b", r"服务业|非制造业|\bservices?\b|\bnon-manufacturing\b"),
    # a market named against the world: "《黑道风云》在日本赚了多少" is not answered by its global revenue
    (r"全球|\bglobal(?:ly)?\b|\bworldwide\b", r"国内|中国|日本|美国|韩国|欧洲|印度|东南亚|北美|\b(?:China|Chinese|domestic|"
     r"Japan|Japanese|America|American|Korea|Korean|Europe|European|India|Indian|(?-i:U\.?S))\b")))
_WORLD = len(_SIDES) - 1  # the world against a market


@dataclass(frozen=True)
class AskedSide(NamedByTemplate):
    """One of two opposed qualifiers a question asking for a figure names (iOS or Android, the first month or the
    first week, imports or exports): a sentence naming only the other side states another figure."""

    side: str  # as the question writes it
    pair: int  # which of ``_SIDES``
    first: bool  # the pair's first side

    NAME: ClassVar[str] = "{self.side}方面"
    NAME_EN: ClassVar[str] = "figure for {self.side}"

    def stated_in(self, text: str, heading: str = "") -> bool:
        asked, other = _SIDES[self.pair] if self.first else _SIDES[self.pair][::-1]
        # a sentence naming the other side gives its figure, whatever its heading names ("早在去年，《黑道风云》全球收入…"
        # under "2022年出海日本的…厂商…")
        return bool(asked.search(text)) or not other.search(text)


def asked_sides(text: str, qtype: str) -> tuple[AskedSide, ...]:
    """Of a question asking for a figure: elsewhere the side is the topic ("女性内衣行业里的传统厂商有哪些？")."""
    if qtype == "compare" or not asks_figure(text, qtype):
        return ()
    out = []
    for n, (a, b) in enumerate(_SIDES):
        found_a, found_b = a.search(text), b.search(text)
        # one side only; of the world and a market, the market (a sentence on "国内" may well give the world's figure,
        # the article's scope being China: "which game was No. 1 in worldwide revenue" abstained on one)
        if bool(found_a) != bool(found_b) and not (n == _WORLD and found_a):
            out.append(AskedSide((found_a or found_b).group(0), n, bool(found_a)))
    return tuple(out)


# "叫什么名字", "名称是什么": the question asks what a thing is called. Not a bare "叫什么": "这种点心又叫什么？" is answered
# by "又名…", "他的儿子叫什么？" by a name nothing marks as one (checking those lost 4 CMRC answers)
_ASKS_NAME = re.compile(r"叫什么名字|什么名字|名字是什么|名字叫什么|名称是什么")
# a person's name is seldom quoted or announced ("首席执行官张某表示"): a thing's name is checked here, a person's by
# ``AskedPerson``
_PERSON_NAMED = re.compile(r"(?:人|者|员|师|官|长|总|生|手|ceo|创始人|老板|主管|儿子|女儿|妻子|丈夫|父亲|母亲|主播|博主)的?"
                           r"(?:叫什么名字|什么名字|名字)", re.I)
_PERSON_NAMED_EN = re.compile(r"\bname of (?:the|that|this|its|their|his|her) (?:[\w-]+ ){0,3}?(?:researcher|lawyer|"
                              r"engineer|executive|person|man|woman|head|chief|founder|author|scientist|manager|"
                              r"investor|reporter|analyst|spokesperson|professor|doctor|player|user|employee|designer|"
                              r"developer)s?\b", re.I)
# how a sentence gives a name: quoted or in Latin letters ("快招工", Myoung Shin), or announced ("名为", "简称")
_NAME_GIVEN = re.compile(r"“[^”]{1,30}”|「[^」]{1,30}」|《[^》]{1,30}》|\"[^\"]{1,30}\"|‘[^’]{1,30}’|[A-Za-z]{2,}|"
                         r"名为|名叫|叫做|称为|命名|取名|又称|又名|原名|别名|别称|俗称|简称|全称|更名|改名|名字|名称")


@dataclass(frozen=True)
class AskedName:
    """The name a Chinese question asks for ("那家合资公司叫什么名字？"). A near miss's closest sentence tells of the
    joint venture, the lawyer or the power station without naming it: nothing quoted, in Latin letters or announced as
    a name ("名为", "简称")."""

    name: str = "名称"
    name_en: str = "name"

    def stated_in(self, text: str, heading: str = "") -> bool:
        return bool(_NAME_GIVEN.search(text))


@dataclass(frozen=True)
class AskedPerson:
    """The name of a person a question asks for ("那位上海律师叫什么名字？", "the name of the CyberArk researcher"). Four
    near misses of our sets (one of them written by three helpers) were answered with a sentence telling of the lawyer,
    the researcher or Apple's head of AR without naming them: a name is one jieba tags as a person's, or in Latin
    letters, that the question does not hold, or one announced ("名叫")."""

    question: str
    name: str = "人名"
    name_en: str = "name"

    def stated_in(self, text: str, heading: str = "") -> bool:
        known = self.question.lower()
        if _PERSON_ANNOUNCED.search(text):
            return True
        if any(w.lower() not in known for w in _LATIN_PERSON.findall(text)):
            return True
        return bool(names_a_person(text, known))


def names_a_person(text: str, known: str) -> float:
    """1 when jieba tags a word of ``text`` as a person's name ("nr") that ``known`` (the question, lower-cased, and
    an English question's Chinese words) does not hold: the answer to "谁 / which actor". jieba's tag is noisy
    (it calls 文明 a name), so it is one feature among the rest, weighed by the sentence model."""
    return 1.0 if any(tag.startswith("nr") and len(word) >= 2 and word.lower() not in known
                      for word, tag in tagged_words(text)) else 0.0


_PERSON_ANNOUNCED = re.compile(r"名叫|名为|叫做|化名|本名|原名|姓[\u4e00-\u9fff]")
_LATIN_PERSON = re.compile(r"[A-Z][a-z]+(?:[ .·-][A-Z][a-z]+)+")  # "Colby Ford", "Lou Wang"


def asked_names(text: str, lang: str) -> tuple[AskedName | AskedPerson, ...]:
    if lang == "zh" and _ASKS_NAME.search(text):
        return (AskedPerson(text),) if _PERSON_NAMED.search(text) else (AskedName(),)
    return (AskedPerson(text),) if lang == "en" and _PERSON_NAMED_EN.search(text) else ()


@dataclass(frozen=True)
class AskedOrganisation:
    """The company or body a question asks for ("李伟星离开小米之后去了哪家公司？", "Which brokerage earned the most?"). A
    near miss's closest sentence tells of the move or the ranking and names no one: the sentence must name a company,
    a body or a brand the question does not (in Latin letters, quoted, a name jieba tags, or a word ending in
    公司 / 集团 / 资本 …; "117家证券公司" counts them and names none)."""

    question: str  # lower-cased: the names it holds answer nothing

    name: ClassVar[str] = "机构名称"
    name_en: ClassVar[str] = "company's name"

    def stated_in(self, text: str, heading: str = "") -> bool:
        # "2010年4月6日小米公司成立" names the company the question does ("…离开小米之后…"): its words are the question's;
        # the source a sentence quotes is not the company asked ("据新浪科技独家报道，…李伟星离职。")
        text = _REPORTED_BY.sub("", text)
        return any(not any(len(w) >= 2 and w.lower() in self.question for w, _ in tagged_words(name) + [(name, "")])
                   for name in organisation_names(text))


# a company's name asked ("那家培训机构叫什么名字") is a name given (``AskedName``) and a company's: not the course it sells,
# quoted ("某知名…培训机构推出的“易学训练营”")
_ASKS_ORGANISATION = re.compile(r"哪[一几]?家[\u4e00-\u9fff]{0,4}?(?:公司|企业|机构|券商|银行|基金|厂商|平台)|"
                                r"[那这哪]家[\u4e00-\u9fff]{0,8}?(?:公司|企业|机构|平台)(?:的名字|的名称)?(?:叫什么|名字|名称)|"
                                r"哪[个家]?[\u4e00-\u9fff]{0,3}?品牌|分别是哪几家|"
                                r"(?:公司|企业|机构|券商|银行|基金|厂商|平台)(?:是|为)哪一?家|"
                                r"\bwhich (?:[\w-]+ ){0,2}?(?:compan(?:y|ies)|firms?|brokerages?|banks?|funds?|"
                                r"institutions?|organi[sz]ations?|studios?|publishers?|brands?)\b", re.I)
_ORGANISATION_WORD = re.compile(r"(?<![\d一二两三四五六七八九十百千万余多几家])[\u4e00-\u9fff]{2,6}?"
                                r"(?:公司|集团|资本|基金|证券|银行|控股|研究院|研究所|创投|实验室|大学)")
_GIVEN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9&.'’-]+|《([^》]{1,30})》|“([^”]{2,20})”|「([^」]{2,20})」")
# Latin words that name no one: titles, terms, units
NOT_NAMES = {"ceo", "cfo", "coo", "cto", "ipo", "ai", "app", "id", "ip", "gmv", "saas", "vc", "pe", "pc", "b2b", "b2c"}
_REPORTED_BY = re.compile(r"(?:据|根据)[^，。；]{1,20}?(?:报道|消息|统计|显示|披露|透露)")
# a name jieba does not know before a person's act is a person's ("与雷军一起…")
_PERSON_ACTS = {"一起", "说", "表示", "称", "认为", "指出", "透露", "坦言", "回忆", "直言", "笑称"}
_NOT_ORGANISATIONS = NOT_NAMES | {"gdp", "pmi", "cpi", "kwh", "gwh", "mw", "gw", "归母", "top"}  # 归母: "归属于母公司"


def organisation_names(text: str) -> list[str]:
    """The names of companies, bodies and brands ``text`` may give (``AskedOrganisation``)."""
    out = [next((x for x in m.groups() if x), m.group()) for m in _GIVEN_NAME.finditer(text)]
    words = tagged_words(text)
    for (w, tag), (after, after_tag) in zip(words, [*words[1:], ("", "")]):
        if len(w) < 2:
            continue
        unknown = tag == "n" and not dictionary_frequency(w) and after not in _PERSON_ACTS
        if tag.startswith(("nt", "nz", "nr")) or unknown:
            out.append(w)  # a name jieba tags, or a noun its dictionary lacks ("乐元素")
        elif tag.startswith("ns") and after_tag == "n":
            out.append(w + after)  # a place and a trade: "山城乳业", "北京银行"
    out += _ORGANISATION_WORD.findall(text)
    return [n for n in out if re.sub(r"\d+$", "", n).lower() not in _NOT_ORGANISATIONS]  # nor "TOP3"


def asked_organisations(text: str, qtype: str) -> tuple[AskedOrganisation, ...]:
    if qtype == "why" or not _ASKS_ORGANISATION.search(text):
        return ()
    return (AskedOrganisation(text.lower()),)


_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九十", 0)} | {"两": 2}
# "第三季" (a season, not "第三季度"), "第二批", "第5届", "third season", "Season 3"; "次", "名", "家" are left out:
# "第一次" and "排第二" seldom count the thing a question asks about
_ORDINAL_ZH = re.compile(r"第\s*([零一二两三四五六七八九十]{1,3}|\d{1,3})\s*(季(?!度)|期|届|代|批|集|部|场|站)")
_ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
_ORDINAL_KINDS = {"season": "季", "edition": "届", "generation": "代", "batch": "批", "phase": "期", "episode": "集"}
_KINDS = "|".join(_ORDINAL_KINDS)
_ORDINAL_EN = re.compile(rf"\b(?:({'|'.join(_ORDINAL_WORDS)})|(\d{{1,3}})(?:st|nd|rd|th))\s+({_KINDS})\b"
                         rf"|\b({_KINDS})\s+(\d{{1,3}})\b", re.I)


def _count(numeral: str) -> int:
    """"三" → 3, "十二" → 12, "二十" → 20, "12" → 12."""
    if numeral.isdigit():
        return int(numeral)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return _NUMERALS.get(tens, 1) * 10 + _NUMERALS.get(ones, 0)
    return _NUMERALS.get(numeral, 0)


def ordinals_named(text: str) -> set[tuple[int, str]]:
    """The numbered things ``text`` names, as (number, the Chinese counter): "第三季" and "Season 3" → (3, "季")."""
    named = {(_count(m.group(1)), m.group(2)) for m in _ORDINAL_ZH.finditer(text)}
    for m in _ORDINAL_EN.finditer(text):
        if m.group(3):
            number = _ORDINAL_WORDS.index(m.group(1).lower()) + 1 if m.group(1) else int(m.group(2))
            named.add((number, _ORDINAL_KINDS[m.group(3).lower()]))
        else:
            named.add((int(m.group(5)), _ORDINAL_KINDS[m.group(4).lower()]))
    return named


@dataclass(frozen=True)
class AskedOrdinal(NamedByTemplate):
    """The numbered season, batch or edition a question asks about ("《老友记》第三季的评分"). A near miss's closest
    sentence gives the others' ("第一季评分6.7分，第二季只有3分")."""

    number: int
    counter: str

    NAME: ClassVar[str] = "第{self.number}{self.counter}的情况"
    NAME_EN: ClassVar[str] = "figure for number {self.number}"

    def stated_in(self, text: str, heading: str = "") -> bool:
        """True unless the sentence (or its heading) numbers others of the kind only."""
        named = {n for n, counter in ordinals_named(f"{heading} {text}") if counter == self.counter}
        return not named or self.number in named


def asked_ordinals(text: str, qtype: str) -> tuple[AskedOrdinal, ...]:
    return tuple(AskedOrdinal(n, c) for n, c in sorted(ordinals_named(text))) if qtype != "why" else ()


def asking_words(text: str, facts: tuple[AskedFact, ...]) -> str:
    """The words of ``text`` that ask for its named facts, a sum or a name ("的创始人", "多少钱", "叫什么名字"), joined."""
    return " ".join(m.group(0) for pattern in (*(f.asks for f in facts), _MONEY_ASKED, _ASKS_NAME)
                    for m in pattern.finditer(text))


# what a question asks for that an answer sentence must state
Asked = (AskedFigure | AskedFact | AskedYear | AskedMonth | AskedRound | AskedPeriod | AskedAmount | AskedCount
         | AskedPlace | AskedOrdinal | AskedTime | AskedWhen | AskedName | AskedPerson | AskedPlaceKind | AskedDate
         | AskedSide | AskedIndex | AskedOrganisation | AskedSoFar | AskedTitle | AskedMeasure)


def required(question: str | None) -> str:
    """The question; an empty or blank one is refused (ConfigError) by the command line and the Gradio API
    alike, as REST refuses it with a 400 (``schemas.not_blank``), instead of being answered "not covered"."""
    if not (question or "").strip():
        raise ConfigError("the question is empty")
    return question


@dataclass
class QuestionInfo:
    text: str
    lang: str
    type: str
    tokens: list[str]  # search tokens (keywords.tokenize), unique, in order
    idf: dict[str, float] = field(default_factory=dict)
    doc_freq: dict[str, int] = field(default_factory=dict)  # how many passages hold each token (or its equivalent)
    anchors: list[str] = field(default_factory=list)  # numbers, Latin names, quoted titles (lower-cased)
    units: list[str] = field(default_factory=list)  # what a "多少X / 几X" question counts in: "起", "家"
    # Chinese words that stand for an English question's words in the articles (crosslingual.py)
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # an English question's person or place names that no article writes in any form (crosslingual.unwritten_names)
    unwritten: tuple[str, ...] = ()
    # its terms the dictionary gives as Chinese words no article holds ("liquid nitrogen", crosslingual.unwritten_terms)
    unwritten_terms: tuple[str, ...] = ()
    person: bool = False  # asks for a person ("谁", "which actor")
    # a follow-up's swap, (the previous question's term, the one put in its place): "那后端呢？" after "前端数字化更多
    # 聚焦什么？" is (前端, 后端) — a sentence on 前端 alone answers the previous question, not this one
    swapped: tuple[str, str] | None = None
    # a follow-up searched together with the previous question and no swap ("那会员人数呢？" after "星光会员累计多少分
    # 可以兑换一杯拿铁？" is "会员人数 星光会员累计…"): its own Chinese words the previous question lacks (人数)
    focus: tuple[str, ...] = ()
    # what a follow-up's own words ask for, apart from the previous question's ("这些游戏一共赚了多少钱" → a sum)
    focus_asked: tuple[tuple[Asked, ...], ...] = ()
    # an English follow-up searched together with the previous question: what its own words ask for (None: not one)
    own_asked: tuple[tuple[Asked, ...], ...] | None = None
    # with a swap: the previous answer's text; a sentence it quoted that names both terms ("鹿童便利…闭店9家，其次是木鱼便利
    # 5家" for "那木鱼便利呢？") lists the two side by side, and answers the follow-up as well
    answered_before: str = ""
    # the names and keywords that only say where the fact was told ("According to Counterpoint's report, …", "据彭博社
    # 报道，…"): they lead to the article, but its answer sentence seldom repeats them ("在越南市场，木鱼现在是最大的茶饮品牌");
    # numbers are not among them (a year in the clause dates the fact)
    sources: tuple[str, ...] = ()
    # the facts it asks for by name ("的创始人是谁", "What valuation"): a sentence that answers holds their words
    asked: tuple[AskedFact, ...] = ()
    years: tuple[AskedYear, ...] = ()  # the years a number question dates its figure to ("2021年全年的营收")
    rounds: tuple[AskedRound, ...] = ()  # the funding rounds it asks about ("Pre-A轮融了多少钱")
    months: tuple[AskedMonth, ...] = ()  # the month a number question dates its figure to ("2022年8月的产量")
    periods: tuple[AskedPeriod, ...] = ()  # the parts of a year it dates its figure to ("第二季度", "全年")
    amounts: tuple[AskedAmount, ...] = ()  # a sum of money it asks for ("花了多少钱")
    counts: tuple[AskedCount, ...] = ()  # a count in a measure word ("卖出多少份")
    places: tuple[AskedPlace, ...] = ()  # the places it names for its fact ("上海有多少家门店")
    regions: tuple[AskedRegion, ...] = ()  # a region of China it names for its figure ("东北地区的销售额")
    ordinals: tuple[AskedOrdinal, ...] = ()  # the numbered season, batch or edition it asks about ("第三季")
    times: tuple[AskedTime | AskedWhen, ...] = ()  # the year a when-question asks for ("哪一年"), or the time ("什么时候开业")
    names: tuple[AskedName | AskedPerson, ...] = ()  # the name it asks for ("叫什么名字")
    place_kinds: tuple[AskedPlaceKind, ...] = ()  # the kind of place it asks for ("哪个城市")
    dates: tuple[AskedDate, ...] = ()  # the day it asks for ("哪天", "On what date")
    outcomes: tuple[AskedOutcome, ...] = ()  # a day's final figure ("1月20日公布的LPR最终报多少")
    sides: tuple[AskedSide, ...] = ()  # one of two opposed qualifiers ("安卓端", "上线首月")
    indexes: tuple[AskedIndex, ...] = ()  # the index it names ("新订单指数")
    organisations: tuple[AskedOrganisation, ...] = ()  # the company it asks for ("去了哪家公司")
    so_far: tuple[AskedSoFar, ...] = ()  # a figure reached so far, not a target ("到现在已经培训了多少名")
    titles: tuple[AskedTitle, ...] = ()  # the work a number question names in 《》 ("《原神》在日本的收入")
    measures: tuple[AskedMeasure, ...] = ()  # a duration, length or weight asked ("多长时间内", "多少公里")

    def asked_groups(self, titles: bool = True) -> tuple[tuple[Asked, ...], ...]:
        """What an answer sentence must state, by kind; a sentence stating one of a kind's states that kind. Each
        side is a kind of its own: "上线第一周在安卓端的收入" is not given by a first week's figure for iOS. ``titles``:
        with the works and models a number question names, which only a question read on its own asks."""
        return (self.asked, self.years, self.months, self.rounds, self.periods, self.amounts, self.counts, self.places,
                self.regions,
                self.ordinals, self.times, self.names, self.place_kinds, self.dates, *((s,) for s in self.sides),
                self.indexes, self.organisations, self.so_far, *((self.titles,) if titles else ()), self.measures)

    @property
    def search_tokens(self) -> list[str]:
        """What BM25 looks for: the question's tokens and their Chinese equivalents."""
        return list(dict.fromkeys([*self.tokens, *(w for t in self.tokens for w in self.alternatives.get(t, ()))]))

    def has(self, token: str, text: str) -> bool:
        """Whether ``text`` (lower-cased) contains the token or one of its equivalents."""
        return token in text or any(w in text for w in self.alternatives.get(token, ()))

    def coverage(self, text: str, without_sources: bool = False) -> float:
        """IDF-weighted share of the question's keywords that appear in ``text`` (lower-cased); ``without_sources``:
        of those outside its opening source clause (``sources``), as for an answer sentence."""
        tokens = [t for t in self.tokens if t not in self.sources] if without_sources else self.tokens
        if not tokens:
            return 0.0
        weight = sum(self.idf.get(t, 1.0) for t in tokens)
        return sum(self.idf.get(t, 1.0) for t in tokens if self.has(t, text)) / weight

    def glossed(self) -> str:
        """An English question in the articles' words: the Chinese equivalents of its words and
        its anchors. Its vector meets Chinese sentences in their own language, where the English question's
        vector only meets them across languages. Empty for a Chinese question or one without equivalents."""
        if self.lang != "en" or not self.alternatives:
            return ""
        words = dict.fromkeys(w for ws in self.alternatives.values() for w in ws)
        return " ".join([*words, *(a for a in self.anchors if a not in words)])

    def anchor_share(self, text: str, without_sources: bool = False) -> float:
        """Share of the question's anchors found in ``text`` (lower-cased); 0 when it has none. ``without_sources``:
        not counting the names that only say where the fact was told (``sources``), as for an answer sentence."""
        anchors = [a for a in self.anchors if a not in self.sources] if without_sources else self.anchors
        if not anchors:
            return 0.0
        return sum(1 for a in anchors if self.has(a, text)) / len(anchors)


def is_small_talk(text: str) -> bool:
    """A greeting or a thank-you on its own, not a question: it gets a word on what the assistant does, not
    passages ("hi" looked up as 你好 matched the film 《你好，李焕英》 and was answered with its box office)."""
    return bool(_SMALL_TALK.fullmatch(" ".join(re.sub(r"[\W_]+", " ", text.lower()).split())))


def question_type(text: str) -> str:
    # a quoted title or phrase is not the question's own words ("the 'Alexa versus Alexa' hole" is no comparison), nor
    # is a thing set against itself, unquoted ("Which university are the researchers who found the Alexa versus Alexa
    # flaw from?")
    return _typed_by(_AGAINST_ITSELF.sub(" ", _SINGLE_QUOTED.sub(" ", _QUOTED.sub(" ", text))))[0]


_AGAINST_ITSELF = re.compile(r"\b(\w+) (?:versus|vs\.?) \1\b", re.I)


def _typed_by(text: str) -> tuple[str, re.Pattern | None]:
    """The type ``text`` asks for and the pattern of ``_TYPE_PATTERNS`` that found it (none: a fact question)."""
    return next(((name, pattern) for name, pattern in _TYPE_PATTERNS if pattern.search(text)), ("fact", None))


def asked_in(text: str) -> tuple[tuple[Asked, ...], ...]:
    """The named facts, sums, counts, years and months a question's own words ask for, read on their own: a follow-up's,
    apart from the previous question it is searched with."""
    qtype = question_type(text)
    return tuple(g for g in (asked_facts(text, qtype), asked_amounts(text, qtype), asked_counts(text, qtype),
                             asked_years(text, qtype), asked_months(text, qtype)) if g)


_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])")


def without_asking(previous: str, asked: str) -> str:
    """The previous question without the words that asked its own kind of thing, when a follow-up asks another kind
    (``asked``): "关掉的是哪家店？" after "盒马第一次关店是在什么时候？" asks which store, not when, and "什么时候" would type the
    two, searched together, a when-question. A follow-up that asks nothing of its own ("那会员人数呢？") keeps them."""
    kind, pattern = _typed_by(previous)
    if asked == "fact" or pattern is None or kind == asked:
        return previous
    return _CJK_GAP.sub("", re.sub(r"\s+", " ", pattern.sub(" ", previous))).strip()


_MAGNITUDE = re.compile(r"\b(\d+(?:\.\d+)?)\s*(thousand|million|billion|trillion)\b", re.I)
_MONTH_RANGE = re.compile(rf"\b{_MONTH_NAME}\s*(?:-|–|—|to|and|through|until)\s*{_MONTH_NAME}\b", re.I)
_POWERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.I)


def chinese_figures(text: str) -> dict[str, tuple[str, ...]]:
    """An English question's figures as Chinese news writes them, keyed by the question's token for the
    figure: "1.5 billion" → 15亿, "3 million" → 300万, "11th" → 第11, "3rd" → 第3 / 第三. The articles count
    in 万 and 亿, so "1.5" or "3" alone is found in them only by chance."""
    out: dict[str, tuple[str, ...]] = {}
    for m in _MAGNITUDE.finditer(text):
        value = float(m.group(1)) * _POWERS[m.group(2).lower()]
        for step, sign in ((1e8, "亿"), (1e4, "万"), (1, "")):
            if value >= step:
                out[m.group(1)] = (f"{value / step:.4f}".rstrip("0").rstrip(".") + sign,)
                break
    for m in _ORDINAL.finditer(text):
        n = int(m.group(1))
        out[m.group(0).lower()] = (f"第{n}", *((f"第{'一二三四五六七八九十'[n - 1]}",) if 1 <= n <= 10 else ()))
    for m in _MONTH_RANGE.finditer(text):  # "between January and May" is 1-5月, and 1月 alone is another month
        a, b = (_MONTHS.index(g.lower()[:3]) + 1 for g in m.groups())
        out[m.group(1).lower()] = tuple(f"{a}{dash}{b}月" for dash in ("-", "—", "－", "–", "~", "至"))
    return out


def anchors_of(text: str, lang: str, figures: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """Numbers, Latin names and quoted titles of the question: strings an answering passage likely shares
    verbatim, whatever language it is in ("2021", "tesla", "ipo", "庆余年"; an English "3 million" as 300万).
    ``figures``: ``chinese_figures(text)`` when the caller has it (an English question's only)."""
    out: list[str] = []
    for m in _QUOTED.finditer(text):
        out.append(next(g for g in m.groups() if g))
    if figures is None:
        figures = chinese_figures(text) if lang == "en" else {}
    # a number inside a model name is no number of its own ("M1 Ultra" is not "1", "SU7" not "7"); one that starts
    # a name ("4S店", "5G", "500ml") keeps its letters
    out += [figures.get(n, (n,))[0] for n in (n.replace(",", "") for n in _FREE_NUMBER.findall(text))]
    out += _NUMBER_NAME.findall(text)
    for word in _LATIN.findall(text):
        low = without_possessive(word.lower()).strip(".'")
        if lang == "en" and (low in _EN_FUNCTION or (len(low) < 3 and not word.isupper())):
            continue
        if lang == "en" and word[0].islower() and not any(c.isdigit() for c in word):
            continue  # English common words: only names (capitalised) survive translation
        out.append(low)
    return list(dict.fromkeys(a.lower() for a in out if a))


# "多久 / how long" asks for a duration, "多高 / how tall" for a length …: the units the answer's number carries
# ("整个过程通常只需 3 到 5 分钟"); "多长" without 时间 is a length ("主跑道有多长？")
_MEASURES = [
    (re.compile(r"多久|多长时间|多少时间|\bhow long (?:does|do|did|will|would|can|could|should|is it|was it|has|have)\b"
                r"|\bhow (?:many|much) (?:time|minutes|hours|days|weeks|months|years)\b|\bhow often\b", re.I),
     _DURATION),
    (re.compile(r"多长(?!时间)|多高|多远|多深|多宽|\bhow (?:tall|high|far|deep|wide)\b|\bhow long is\b", re.I), _LENGTH),
    (re.compile(r"多重|\bhow heavy\b", re.I), _WEIGHT),
    (_MONEY_ASKED, _MONEY),
    # "how many times the median salary" is a multiple; "how many times did it happen" a count
    (re.compile(r"\bhow many times (?:the|as|more|higher|larger|bigger|greater|faster|that|his|her|its|their)\b", re.I),
     ("倍",)),
]


# the words of a measure question ("需要多长时间" → 多长, 时间, 长时间, 多长时间) are no keywords, as 多少 is not: they
# diluted the keyword coverage of the passage that answers ("换电需要多长时间？" was declined beside "只需 3 到 5 分钟");
# the asked measure is the asked units' job (retrieval drops them from the question's tokens)
MEASURE_ASKED = re.compile(r"多长时间|多少时间|多久|多长|多高|多远|多深|多宽|多重")


def asked_units(text: str) -> list[str]:
    """The measure word after 多少 / 几 ("多少起" → 起, "几家" → 家), or the units of the measure asked for ("多久" →
    分钟, 小时 …; "多高" → 米 …): the answer's number carries it."""
    units = [u for u in _ASKED_UNIT.findall(text) if u not in "的是钱"]
    for pattern, measure in _MEASURES:
        if pattern.search(text):
            units += measure
    return list(dict.fromkeys(units))


def idf_weights(tokens: list[str], doc_freq: dict[str, int], n_docs: int) -> dict[str, float]:
    return {t: math.log(1 + (n_docs + 1) / (doc_freq.get(t, 0) + 1)) for t in tokens}


_SOURCE_CLAUSE = re.compile(
    r"^\s*(?:according to|as reported by|per)\s[^,?]+,|"
    r"^\s*in (?:the|a|an|its|their|his|her)\s[^,?]*?\b(?:piece|article|report|story|interview|survey|guide|post|"
    r"column|essay|study|analysis|filing|feature|review|podcast|video)\b[^,?]*,|"
    r"^\s*(?:据|根据|按照?)[^，,？?]{2,30}?(?:报道|统计|报告|数据|财报|估算|测算|显示|披露|称|表示|说法|文章|调查)[^，,？?]{0,6}[，,]",
    re.I)


def source_words(text: str, words: list[str]) -> tuple[str, ...]:
    """Those of ``words`` (the question's anchors and keywords, lower-cased) that only its opening source clause
    holds, numbers aside."""
    m = _SOURCE_CLAUSE.match(text)
    if not m:
        return ()
    clause, rest = m.group(0).lower(), text[m.end():].lower()
    return tuple(dict.fromkeys(w for w in words if w in clause and w not in rest and not w.replace(".", "").isdigit()))


def analyze(text: str, tokens: list[str], doc_freq: dict[str, int] | None = None, n_docs: int = 0,
            alternatives: dict[str, tuple[str, ...]] | None = None) -> QuestionInfo:
    """``doc_freq`` covers the tokens and their ``alternatives``: a token's weight is that of its most
    common form, so an English word is as rare as the Chinese word the articles use for it."""
    lang = language_of(text)
    unique = list(dict.fromkeys(tokens))
    alternatives = dict(alternatives or {})
    figures = chinese_figures(text) if lang == "en" else {}
    alternatives.update(figures)  # the figure as written, in place of a dictionary's words
    df = dict(doc_freq or {})
    for t in unique:
        df[t] = max([df.get(t, 0), *(df.get(w, 0) for w in alternatives.get(t, ()))])
    anchors = anchors_of(text, lang, figures)
    info = QuestionInfo(text=text, lang=lang, type=question_type(text), tokens=unique,
                        idf=idf_weights(unique, df, n_docs), doc_freq={t: df[t] for t in unique}, anchors=anchors,
                        units=asked_units(text), alternatives=alternatives, person=bool(_PERSON_ASK.search(text)),
                        sources=source_words(text, [*anchors, *unique]))
    info.asked = asked_facts(text, info.type)
    info.years = asked_years(text, info.type)
    info.rounds = asked_rounds(text, info.type)
    info.months = asked_months(text, info.type)
    info.periods = asked_periods(text, info.type)
    info.amounts = asked_amounts(text, info.type)
    info.counts = asked_counts(text, info.type)
    info.places = asked_places(text, info.type)
    info.regions = asked_regions(text, info.type)
    info.ordinals = asked_ordinals(text, info.type)
    info.times = asked_times(text, info.type)
    info.names = asked_names(text, lang)
    info.place_kinds = asked_place_kinds(text)
    info.dates = asked_dates(text)
    info.outcomes = asked_outcomes(text, info.type)
    info.sides = asked_sides(text, info.type)
    info.indexes = asked_indexes(text, info.type)
    info.organisations = asked_organisations(text, info.type)
    info.so_far = asked_so_far(text, info.type)
    info.titles = asked_titles(text, info.type)
    info.measures = asked_measures(text, info.type)
    return info
