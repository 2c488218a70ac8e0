"""Sentences, titles and names for the demo sites, written for this project.

Everything here is fictional (示范市 and its districts do not exist) but reads like
the ordinary register of a city government site, so the checks meet realistic,
correct text and false alarms show up in the end-to-end tests.  All choices are
drawn from a `random.Random` the caller seeds, so a page is the same on every
request and every run.
"""

from __future__ import annotations

import random
from datetime import date, datetime

CITY = "示范市"
COUNTIES = ["东湖区", "西山县", "北湖区", "南山县", "青河县", "白沙区"]
TOWNS = ["桃源镇", "柳林镇", "石桥街道", "新城街道", "清水镇", "红星街道", "杏花乡", "龙泉镇",
         "河西街道", "平安镇"]
TOPICS = ["安全生产", "优化营商环境", "乡村振兴", "城市更新", "生态环境保护", "民生实事",
          "防汛抗旱", "就业创业", "养老服务", "义务教育", "医疗保障", "政务服务",
          "森林防火", "文明城市创建", "招商引资", "重点项目建设", "基层治理", "食品安全",
          "消防安全", "数字政府建设", "农村人居环境整治", "耕地保护", "社会救助",
          "全民健身", "垃圾分类", "老旧小区改造", "河湖长制", "普法宣传"]
DEPTS = ["发展和改革委员会", "教育局", "民政局", "财政局", "人力资源和社会保障局",
         "自然资源和规划局", "住房和城乡建设局", "交通运输局", "农业农村局", "卫生健康委员会",
         "应急管理局", "市场监督管理局", "生态环境局", "文化和旅游局", "水务局"]
ROLES = ["市长", "副市长", "市政府秘书长", "区长", "副县长", "局长", "党组书记、局长"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ["晓东", "文静", "建国", "芳", "敏", "磊", "海燕", "志刚", "丽娟", "明华", "春梅", "国庆",
         "雪", "宇航", "秀兰", "子涵", "立新", "红霞", "振宇", "淑芬"]
LETTER_ISSUES = ["小区路灯长期不亮", "学校周边上下学时段交通拥堵", "社保卡丢失后如何补办",
                 "住房公积金提取需要哪些材料", "老旧小区加装电梯的补助政策", "农村道路破损需要维修",
                 "新生儿落户办理流程", "夜间施工噪音扰民", "灵活就业人员参保缴费", "公交线路调整建议",
                 "小区垃圾清运不及时", "个体工商户登记注册", "残疾人两项补贴申领", "医保异地备案办理",
                 "农贸市场占道经营", "供暖费用收取标准"]
HOLIDAYS = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def md(d: date) -> str:
    return f"{d.month}月{d.day}日"


# -- titles ------------------------------------------------------------------------

NEWS_TITLES = [
    "{place}召开{topic}工作推进会",
    "市政府常务会议研究部署{topic}等工作",
    "{place}开展{topic}专项检查",
    "{role}带队调研{topic}工作",
    "{place}{topic}工作取得阶段性成效",
    "{we}举办{topic}专题培训班",
    "{town}扎实推进{topic}",
    "{place}召开{topic}工作联席会议",
    "市{dept}组织开展{topic}宣传活动",
    "{place}部署{topic}重点任务",
]
NOTICE_TITLES = [
    "关于开展{year}年{topic}工作的通知",
    "关于印发《{city}{topic}实施方案》的通知",
    "关于{year}年{holiday}期间做好{topic}工作的通知",
    "{city}{dept}关于征求《{topic}管理办法（征求意见稿）》意见的公告",
    "关于做好{topic}有关工作的通知",
    "关于公布{year}年{topic}示范单位名单的通告",
]
POLICY_TITLES = [
    "{city}人民政府办公室关于进一步做好{topic}工作的实施意见",
    "{city}人民政府关于印发{city}{topic}三年行动计划的通知",
    "{city}人民政府办公室关于加强{topic}工作的意见",
    "{city}{topic}专项资金管理办法",
]
PERSONNEL_TITLES = [
    "{city}{year}年公开招聘事业单位工作人员拟聘用人员公示",
    "{city}{dept}{year}年公开遴选公务员公告",
    "{city}{year}年度“三支一扶”人员招募公告",
    "关于{city}{dept}领导干部任前公示",
]
PLAN_TITLES = [
    "{city}{dept}{year}年工作要点",
    "{city}{year}年{topic}工作计划",
    "{city}“十四五”{topic}专项规划中期评估报告",
]


def holiday_near(d: date) -> str:
    """The next holiday after d, so a notice about it is published before it."""
    return ["春节", "春节", "清明节", "劳动节", "端午节", "端午节", "中秋节", "中秋节", "国庆节",
            "元旦", "元旦", "元旦"][d.month - 1]


def _fill(tpl: str, rng: random.Random, d: date, place: str, topic: str | None = None) -> str:
    we = "我" + (place[-1] if place[-1] in "市区县镇" else "市")
    return tpl.format(place=place, we=we, topic=topic or rng.choice(TOPICS), role=rng.choice(ROLES),
                      town=rng.choice(TOWNS), dept=rng.choice(DEPTS), year=d.year,
                      city=CITY, holiday=holiday_near(d))


def title_for(ctype: str, rng: random.Random, d: date, place: str, topic: str | None = None,
              issue: str | None = None) -> str:
    """A plausible item title for a column of type `ctype` published on `d`; `topic` (or
    `issue` for letters) is shared with the body so title and text agree."""
    if ctype == "news":
        return _fill(rng.choice(NEWS_TITLES), rng, d, place, topic)
    if ctype == "notice":
        return _fill(rng.choice(NOTICE_TITLES), rng, d, place, topic)
    if ctype == "policy":
        return _fill(rng.choice(POLICY_TITLES), rng, d, place, topic)
    if ctype == "personnel":
        return _fill(rng.choice(PERSONNEL_TITLES), rng, d, place, topic)
    if ctype == "plan":
        return _fill(rng.choice(PLAN_TITLES), rng, d, place, topic)
    if ctype == "stats":
        m = d.month - 1 or 12
        y = d.year if d.month > 1 else d.year - 1
        return f"{y}年{m}月{place}国民经济主要指标"
    if ctype == "msgstats":
        m = d.month - 1 or 12
        y = d.year if d.month > 1 else d.year - 1
        return f"{y}年{m}月领导信箱来信办理情况统计"
    if ctype == "letter":
        return "关于" + (issue or rng.choice(LETTER_ISSUES)) + "的咨询"
    return _fill(rng.choice(NEWS_TITLES), rng, d, place, topic)


# -- bodies ------------------------------------------------------------------------

NEWS_SENTENCES = [
    "{md}，{place}召开{topic}工作推进会，总结前一阶段工作成效，分析当前形势，安排部署下一步重点任务。",
    "会议指出，做好{topic}工作事关群众切身利益，各级各部门要提高思想认识，压实工作责任，确保各项措施落地见效。",
    "会议要求，要坚持问题导向，聚焦群众反映强烈的突出问题，建立工作台账，明确责任单位和完成时限，逐项抓好落实。",
    "今年以来，{place}累计投入资金{num}万元，完成{topic}项目{n}个，惠及群众{m}余人。",
    "下一步，{place}将持续深化{topic}，进一步完善长效机制，不断提升人民群众的获得感、幸福感、安全感。",
    "调研中，{role}一行先后来到{town}、{town2}，实地察看{topic}工作开展情况，与基层干部群众深入交流。",
    "各相关单位要加强协调配合，形成工作合力，及时报送工作进展情况。",
    "活动现场，工作人员通过发放宣传资料、现场讲解等方式，向群众普及{topic}相关知识，共发放宣传资料{n}份。",
    "{role}强调，要把{topic}作为当前的一项重要任务，主要负责同志亲自抓，分管负责同志具体抓，确保取得实效。",
    "据了解，{town}已建成便民服务站{n}个，群众办事实现“就近办、一次办”。",
    "会上，{dept}、{dept2}等单位负责同志分别汇报了工作进展情况。",
    "与会人员一致表示，将以此次会议为契机，狠抓工作落实，推动{topic}工作再上新台阶。",
]
NOTICE_SENTENCES = [
    "为切实做好{topic}工作，经研究，决定在全市范围内开展{topic}专项行动。现将有关事项通知如下：",
    "一、工作目标。通过集中整治，推动{topic}制度更加健全、责任更加明确、措施更加有力。",
    "二、时间安排。专项行动自即日起至{end}结束，分动员部署、集中整治、总结提升三个阶段进行。",
    "三、工作要求。各单位要高度重视，明确分管负责同志和联络员，于{due}前将工作方案报送市{dept}。",
    "四、其他事项。执行中遇到的问题，请及时与市{dept}联系。",
]
LETTER_SENTENCES = [
    "您好！我是{town}居民，想咨询一下{issue}的问题，希望有关部门给予答复，谢谢。",
    "我家住在{town}，最近发现{issue}，给附近居民生活带来不便，请相关部门帮助协调解决。",
]
REPLY_SENTENCES = [
    "您好！您反映的问题已收悉。经向{dept}了解，相关工作已安排专人跟进办理，预计近期完成。感谢您对我们工作的关心和支持！",
    "您好！关于您咨询的问题，答复如下：相关事项可携带本人有效身份证件到市政务服务中心{dept}窗口办理，也可通过网上办事大厅在线申请。如有疑问，请拨打12345政务服务便民热线。",
]


def paragraphs(kind: str, rng: random.Random, d: date, place: str, n: int | None = None,
               topic: str | None = None) -> list[str]:
    """Body paragraphs for an article of `kind` (news, notice, policy...)."""
    topic = topic or rng.choice(TOPICS)
    dept = rng.choice(DEPTS)

    def fill(s: str) -> str:
        return s.format(md=md(d), place=place, topic=topic, num=rng.randint(50, 9000),
                        n=rng.randint(3, 60), m=rng.randint(2, 90) * 100, role=rng.choice(ROLES),
                        town=rng.choice(TOWNS), town2=rng.choice(TOWNS), dept=dept,
                        dept2=rng.choice([x for x in DEPTS if x != dept]), end=cn_date(date(d.year, 12, 31)),
                        due=md(date(d.year, min(12, d.month + 1), 10)), issue=rng.choice(LETTER_ISSUES))

    if kind in ("notice", "policy", "personnel", "plan"):
        out = [f"各{'区、县人民政府，市政府各部门' if kind == 'policy' else '有关单位'}："]
        out += [fill(s) for s in NOTICE_SENTENCES]
        out.append(f"联系人：{person(rng)}，联系电话：0999-{rng.randint(2000000, 8999999)}。")
        return out
    if kind == "stats":
        return [f"{md(d)}，{place}统计局发布主要经济指标。",
                f"规模以上工业增加值同比增长{rng.randint(30, 90) / 10}%，社会消费品零售总额同比增长{rng.randint(20, 80) / 10}%。",
                f"城镇新增就业{rng.randint(800, 4000)}人，居民消费价格同比上涨{rng.randint(1, 20) / 10}%。"]
    if kind == "msgstats":
        got = rng.randint(40, 160)
        return [f"{md(d)}，{place}领导信箱上月来信办理情况如下：",
                f"共收到群众来信{got}件，其中咨询类{got // 2}件、建议类{got // 4}件、投诉类{got - got // 2 - got // 4}件。",
                f"已办结{got}件，办结率100%，平均办理时长{rng.randint(10, 30) / 10}个工作日。"]
    count = n or rng.randint(3, 6)
    out = [fill(NEWS_SENTENCES[0])]
    pool = NEWS_SENTENCES[1:]
    out += [fill(s) for s in rng.sample(pool, min(count, len(pool)))]
    return out


def letter_text(rng: random.Random, issue: str | None = None) -> str:
    return rng.choice(LETTER_SENTENCES).format(town=rng.choice(TOWNS),
                                               issue=issue or rng.choice(LETTER_ISSUES))


def reply_text(rng: random.Random) -> str:
    return rng.choice(REPLY_SENTENCES).format(dept=rng.choice(DEPTS))


def hm(rng: random.Random) -> tuple[int, int]:
    return rng.randint(8, 17), rng.choice((0, 10, 15, 20, 30, 40, 45, 50))


def at(d: date, rng: random.Random) -> datetime:
    h, m = hm(rng)
    return datetime(d.year, d.month, d.day, h, m)
