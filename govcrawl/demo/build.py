"""Builds the demo world: which sites exist, how big they are, what is planted where.

Site set (ids are fictional division code 9901xx + serial):
- 9901000001 示范市人民政府 (TRS) — wording, privacy, tag and interaction problems.
- 9901000002 示范市民政局 under /bmwz/mzj/ of the portal's host (大汉) — stale 工作动态, a blank column.
- 9901020001 东湖区人民政府 (开普云, GBK) — footer lacks ICP and 找错; stale 留言统计.
- 9901230001 西山县人民政府 (JSON lists, one script-only column) — homepage 20 days old,
  five stale news columns (veto), notices 200 days old, 规划计划 400 days old.
- 9901000004 示范市文化和旅游局 — hacked (special.py).
- 9901000003 示范市交通运输局 — traps, redirects, huge/slow pages, broken links (special.py).
- 9901000005 示范市教育局 (TRS) — the clean control: no finding at all.
- 9901000008 示范市科学技术局 (template.py) — built like a real site: collapsed menus, a
  <select> of sites, tabs, a carousel, share widget, 找错 / 无障碍 / CMS credit links, header
  clock, sidebars, event fields, photo credits, desktop + mobile copies; no finding on any of
  them, one typo printed only in an article's mobile copy.
- 9901000007 示范市档案馆 — a homepage whose every link is broken (special.py).
- 9901000006 示范市水务局 — registered, nobody listens on its port.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Callable

from govcrawl.demo import special
from govcrawl.demo.template import build_template_site
from govcrawl.demo.model import Column, Item, Site
from govcrawl.demo.styles import HanwebSite, JsonSite, TrsSite, UcapSite
from govcrawl.demo.world import World, is_holiday_weekday, is_makeup_day, is_workday

# Pages per site at scale 1 are roughly: portal 300, 民政局 100, 东湖区 130, 西山县 130,
# 文旅局 80, 交通局 60, 教育局 150 (~1000 over the e2e world).
BASE_PAGES = 1000
Scaler = Callable[[int], int]  # item count at scale 1 -> item count at this world's scale
BENCH_EXTRA = [("9901030001", "北湖区人民政府", "北湖区"), ("9901240001", "南山县人民政府", "南山县"),
               ("9901250001", "青河县人民政府", "青河县")]


def build_world(as_of: date, scale: str = "e2e", seed: int = 1, bench_pages: int = 20000) -> World:
    """Build the demo world for `as_of` (a date; every other date is relative to it)."""
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    w = World(as_of, scale, seed)
    if scale == "bench":
        f = max(0.2, bench_pages / (BASE_PAGES + 140 * len(BENCH_EXTRA)) * 1.07)
    elif scale == "demo":
        f = 0.6
    else:
        f = 1.0

    def n(x: int) -> int:
        return max(1, round(x * f))

    portal = build_portal(w, n)
    dept = build_mzj(w, n)
    gbk = build_donghu(w, n)
    js = build_xishan(w, n)
    clean = build_clean(w, n)
    real = build_template_site(w, n)
    hacked = special.build_hacked(w, n)
    problems = special.build_problems(w, n, slow=scale != "bench", huge=scale != "bench")
    special.build_broken(w)
    extras = []
    if scale == "bench":
        for sid, name, place in BENCH_EXTRA:
            extras.append(build_county(w, n, sid, name, place))
    down = Site(w, sid="9901000006", name="示范市水务局", host="down", kind="department",
                org="示范市水务局")
    down.unreachable = True
    down.optional.add("/")  # tried, never answered
    w.sites.append(down)
    w.closed_hosts.append("down")
    w.plant("site.unreachable", down, path="/", note="registered, nothing listens on its port")

    portal.friends = [clean, gbk, js]
    clean.friends = [portal]
    gbk.friends = [portal]
    js.friends = [portal]
    hacked.friends = [portal]
    problems.friends = [portal]
    dept.friends = [portal]
    real.neighbours = [portal, clean]
    w.control("friendly_link", hacked, path="/", target=portal.ref("/"),
              note="friendly link to another government site", rules=["link.unsafe", "content.hidden_link"])
    portal.home_extra += ('<div class="bmwz"><h3>部门网站</h3>'
                          f'<a href="{dept.home}">{dept.name}</a></div>')
    for s in w.sites:
        if not s.unreachable:
            s.finalize()
    return w


# -- helpers -------------------------------------------------------------------------

def letters_case(w: World) -> tuple[date, date, date, bool]:
    """A submission day s whose 5th and 6th working days after span a public holiday
    and a make-up weekend day: replying on the 6th is slow, on the 5th is not.
    Falls back to plain weekends when the calendar does not know the year."""
    for back in range(25, 366):
        s = w.day(-back)
        if not is_workday(s):
            continue
        r5, r6 = w.workday_after(s, 5), w.workday_after(s, 6)
        span = [s + timedelta(days=k) for k in range(1, (r6 - s).days + 1)]
        if any(is_holiday_weekday(d) for d in span) and any(is_makeup_day(d) for d in span):
            return s, r5, r6, True
    s = w.day(-40)
    while s.weekday() != 0:
        s -= timedelta(days=1)
    return s, w.workday_after(s, 5), w.workday_after(s, 6), False


def add_letter(site: Site, col: Column, submitted: date, reply: date | None, title: str,
               asker: str = "陈**") -> Item:
    it = site.add_item(col, (site.world.as_of - submitted).days, title, asker=asker)
    it.extra["issue"] = title.removeprefix("关于").removesuffix("的咨询").removesuffix("的反映")
    it.reply = None if reply is None else datetime(reply.year, reply.month, reply.day, 15, 20)
    return it


def std_columns_fresh(site: Site, n: Scaler, spec: list[tuple[str, str, str, str, int]],
                      age0: int = 0) -> dict[str, Column]:
    cols = {}
    for i, (key, name, ctype, parent, count) in enumerate(spec):
        cols[key] = site.add_column(key, name, ctype, parent, n(count) if count else 0,
                                    newest_age=age0 + i % 3, blank=count == 0)
    return cols


# -- 1. the portal -------------------------------------------------------------------

def build_portal(w: World, n: Scaler) -> Site:
    s = w.add_site(TrsSite(w, sid="9901000001", name="示范市人民政府", host="www", kind="portal",
                           org="示范市人民政府办公室", region="示范市", place="示范市"))
    c = std_columns_fresh(s, n, [
        ("xwzx/ywdt", "要闻动态", "news", "新闻中心", 60),
        ("xwzx/gzdt", "工作动态", "news", "新闻中心", 60),
        ("xxgk/tzgg", "通知公告", "notice", "政务公开", 45),
        ("xxgk/zcwj", "政策文件", "policy", "政务公开", 30),
        ("xxgk/rsxx", "人事信息", "personnel", "政务公开", 15),
        ("xxgk/ghjh", "规划计划", "plan", "政务公开", 8),
        ("xxgk/tjsj", "统计数据", "stats", "政务公开", 12),
    ])
    letters = s.add_column("hdjl/ldxx", "领导信箱", "letter", "互动交流", n(30), newest_age=1, on_home=False)
    s.add_column("hdjl/lytj", "留言统计", "msgstats", "互动交流", n(8), newest_age=5, on_home=False)
    gz, ywdt, rs = c["xwzx/gzdt"], c["xwzx/ywdt"], c["xxgk/rsxx"]

    def article(col: Column, age: int, title: str, inject: str, **kw) -> Item:
        return s.add_item(col, age, title, inject=inject, **kw)

    # Wording problems, one per article so each finding has its own page.
    it = article(ywdt, 9, "市委理论学习中心组召开专题学习会",
                 "会议强调，要深入学习贯彻习近凭总书记重要讲话精神，把学习成果转化为推动高质量发展的实际行动。")
    w.plant("content.leader_name", s, item=it, text="习近凭", suggestion="习近平")
    it = article(gz, 11, "我市组织收看全国安全生产电视电话会议",
                 "会上，国务院副总理李强对安全生产工作作出部署，我市在分会场组织收看。")
    w.plant("content.leader_title", s, item=it, text="国务院副总理李强", suggestion="国务院总理李强")
    it = article(gz, 13, "我市召开政府工作报告学习宣讲会",
                 "宣讲会上，与会人员认真学习了国务院总理李克强所作政府工作报告的主要内容。")
    w.plant("content.leader_title", s, item=it, text="国务院总理李克强", suggestion="国务院总理李强")
    it = article(ywdt, 16, "全市干部培训工作会议召开",
                 "要把学习贯彻习近平新时代中国特色社会主意思想作为干部教育培训的首要任务。")
    w.plant("content.phrase", s, item=it, text="习近平新时代中国特色社会主意思想",
            suggestion="习近平新时代中国特色社会主义思想")
    it = article(c["xxgk/zcwj"], 20, "示范市人民政府关于加强法治政府建设的实施意见",
                 "依据《中华人民共合国行政许可法》等法律法规，结合本市实际，制定本意见。")
    w.plant("content.phrase", s, item=it, text="中华人民共合国", suggestion="中华人民共和国")
    it = article(gz, 18, "我市举办涉台工作业务培训班",
                 "培训中，授课老师结合案例，讲解了对外宣传中“台湾总统”等错误表述的规范用法。")
    w.plant("content.prohibited", s, item=it, text="台湾总统", suggestion="台湾地区领导人")
    it = article(gz, 22, "我市召开项目建设现场推进会",
                 "截止目前，全市在建重点项目已完成年度投资计划的百分之六十二。")
    w.plant("content.typo", s, item=it, text="截止目前", suggestion="截至目前")
    it = article(ywdt, 25, "市政府召开全体会议部署下半年工作",
                 "会议号召全市上下再接再励，奋力完成全年目标任务。")
    w.plant("content.typo", s, item=it, text="再接再励", suggestion="再接再厉")
    # Privacy: an unmasked ID number (valid checksum) and mobile number in a 公示.
    pid = id_number("990102", date(1988, 3, 17), 213)
    it = article(rs, 12, "示范市2024年公开招聘社区工作者拟聘用人员公示",
                 f"拟聘用人员：王晓东，男，身份证号：{pid}，联系电话：13912345678，拟聘岗位：社区综合岗。")
    w.plant("content.privacy", s, item=it, text=pid, note="18-digit resident ID with a valid checksum")
    w.plant("content.privacy", s, item=it, text="13912345678", note="mobile number")
    it = article(rs, 30, "示范市2024年公开招聘事业单位工作人员体检合格人员公示",
                 "体检合格人员：李文静，身份证号：990102********2126，联系电话：139****5678。")
    w.control("masked_privacy", s, item=it, text="990102********2126", rules=["content.privacy"])
    # A forged date: published after as_of.
    it = article(gz, -5, "我市召开夏季防汛工作部署会", "")
    it.inject = None
    w.plant("content.fake_date", s, item=it, note="PubDate and visible date after as_of",
            evidence={"pub_date": it.day.isoformat(), "as_of": w.as_of.isoformat()})
    # Tag problems.
    it = article(gz, 6, "我市开展校园周边食品安全专项检查", "")
    it.meta = {"SiteIDCode": "9901000010"}
    w.plant("tag.invalid", s, item=it, target="SiteIDCode", text="9901000010")
    it = article(ywdt, 7, "市政府与高校签署战略合作协议", "")
    it.meta = {"PubDate": f"{it.day - timedelta(days=3):%Y-%m-%d} 09:00"}
    w.plant("tag.invalid", s, item=it, target="PubDate", text=it.meta["PubDate"],
            note=f"visible date {it.day:%Y-%m-%d}")
    w.tolerate("content.fake_date", s, item=it, severity="notice",
               note="rules.md: a PubDate contradicting the visible date may also be a fake-date notice")
    it = article(gz, 8, "我市启动全民健身月活动", "")
    it.meta = {"ContentSource": None}
    w.plant("tag.missing", s, item=it, target="ContentSource")
    # Controls in ordinary text.
    it = article(ywdt, 4, "我市召开深化改革工作会议",
                 "会议强调，要以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，"
                 "坚决拥护以习近平同志为核心的党中央。")
    w.control("correct_phrase", s, item=it, text="习近平新时代中国特色社会主义思想",
              rules=["content.phrase", "content.leader_name"])
    it = article(gz, 5, "我市收看全国春季农业生产工作会议",
                 "国务院总理李强在会上强调，要抓好春季农业生产。")
    w.control("correct_leader_title", s, item=it, text="国务院总理李强", rules=["content.leader_title"])

    # Interaction: one letter unanswered > 3 months, one reply on the 6th working day
    # across a public holiday and a make-up Saturday, the rest answered in 1-2 days.
    it = add_letter(s, letters, w.day(-120), None, "关于小区门前道路长期积水的反映", asker="刘**")
    w.plant("interaction.unanswered", s, item=it, column="领导信箱",
            evidence={"submitted": it.day.isoformat()})
    sub, r5, r6, cal = letters_case(w)
    it = add_letter(s, letters, sub, r6, "关于残疾人两项补贴申领的咨询", asker="赵**")
    w.plant("interaction.slow_reply", s, item=it, column="领导信箱",
            evidence={"submitted": sub.isoformat(), "replied": r6.isoformat(), "working_days": 6,
                      "holiday_and_makeup_day": cal})
    it = add_letter(s, letters, w.day(-4), None, "关于社区卫生服务站开放时间的咨询", asker="孙**")
    w.control("recent_unanswered_letter", s, item=it, rules=["interaction.unanswered"])
    return s


def id_number(area: str, born: date, seq: int) -> str:
    """An 18-digit resident ID number with a valid GB 11643 check digit."""
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(ch) * wt for ch, wt in zip(body, weights))
    return body + "10X98765432"[total % 11]


# -- 2. the department site under the portal's path ---------------------------------

def build_mzj(w: World, n: Scaler) -> Site:
    s = w.add_site(HanwebSite(w, sid="9901000002", name="示范市民政局", host="www", prefix="/bmwz/mzj/",
                              kind="department", org="示范市民政局", region="示范市", place="示范市"))
    gz = s.add_column("gzdt", "工作动态", "news", "新闻动态", n(45), newest_age=20)
    s.add_column("tzgg", "通知公告", "notice", "政务公开", n(25), newest_age=2)
    s.add_column("zcfg", "政策法规", "policy", "政务公开", n(15), newest_age=4)
    blank = s.add_column("bszn", "办事指南", "other", "政务服务", 0, blank=True)
    s.add_column("zxly", "咨询留言", "letter", "互动交流", n(8), newest_age=2, on_home=False)
    w.plant("column.stale_news", s, column="工作动态", path=gz.path,
            evidence={"newest": w.day(-20).isoformat()})
    w.plant("column.blank", s, column="办事指南", path=blank.path, evidence={"placeholder": "暂无信息"})
    return s


# -- 3. the GBK district site ---------------------------------------------------------

def build_donghu(w: World, n: Scaler) -> Site:
    s = w.add_site(UcapSite(w, sid="9901020001", name="东湖区人民政府", host="dhq", kind="portal",
                            org="东湖区人民政府办公室", region="东湖区", place="东湖区", encoding="gbk",
                            missing_identity=("icp", "jiucuo"), phone="0999-82345678",
                            police="99010202000117"))
    s.add_column("qzfdt", "区政府动态", "news", "新闻中心", n(40), newest_age=0, date_fmt="bracket")
    jd = s.add_column("jddt", "街道动态", "news", "新闻中心", n(30), newest_age=1, date_fmt="cn")
    s.add_column("tzgg", "通知公告", "notice", "政务公开", n(25), newest_age=3, date_fmt="iso")
    s.add_column("zfxxgk", "政府信息公开", "policy", "政务公开", n(15), newest_age=5, date_fmt="iso")
    s.add_column("qzxx", "区长信箱", "letter", "互动交流", n(10), newest_age=2, on_home=False)
    st = s.add_column("lytj", "留言统计", "msgstats", "互动交流", n(6), newest_age=75, on_home=False)
    it = s.add_item(jd, 6, "东湖区召开对外交流合作座谈会",
                    inject="座谈会上，有关专家介绍了近期北朝鲜半岛形势对区域经贸合作的影响。")
    w.plant("content.prohibited", s, item=it, text="北朝鲜", suggestion="朝鲜",
            note="in a GBK page: must be decoded first")
    w.plant("identity.missing", s, path=s.home, target="ICP备案编号")
    w.plant("identity.missing", s, path=s.home, target="我为政府网站找错")
    w.plant("interaction.stale_stats", s, column="留言统计", path=st.path,
            evidence={"newest": w.day(-75).isoformat()})
    return s


# -- 4. the county site with script-loaded lists (and a neglected homepage) ----------

def build_xishan(w: World, n: Scaler) -> Site:
    s = w.add_site(JsonSite(w, sid="9901230001", name="西山县人民政府", host="xsx", kind="portal",
                            org="西山县人民政府办公室", region="西山县", place="西山县",
                            phone="0999-62345678", police="99012302000031"))
    news = [("xzfdt", "县政府动态", 25, 20), ("xzdt", "乡镇动态", 20, 22), ("bmdt", "部门动态", 20, 24),
            ("tpxw", "图片新闻", 15, 26), ("mtjj", "媒体聚焦", 15, 28)]
    for key, name, cnt, age in news:
        col = s.add_column(key, name, "news", "新闻中心", n(cnt), newest_age=age)
        w.plant("column.stale_news", s, column=name, path=col.path,
                evidence={"newest": w.day(-age).isoformat()})
    tz = s.add_column("tzgg", "通知公告", "notice", "政务公开", n(10), newest_age=200)
    w.plant("column.stale_notice", s, column="通知公告", path=tz.path,
            evidence={"newest": w.day(-200).isoformat()})
    s.add_column("zcwj", "政策文件", "policy", "政务公开", n(10), newest_age=30)
    gh = s.add_column("ghjh", "规划计划", "plan", "政务公开", n(5), newest_age=400)
    w.plant("column.stale_other", s, column="规划计划", path=gh.path,
            evidence={"newest": w.day(-400).isoformat()}, note="older than a year")
    jd = s.add_column("zcjd", "政策解读", "policy", "政务公开", n(12), newest_age=30,
                      browser_only=True, on_home=False)
    s.add_column("xzxx", "县长信箱", "letter", "互动交流", n(6), newest_age=25, on_home=False)
    w.plant("site.homepage_not_updated", s, path=s.home, evidence={"newest": w.day(-20).isoformat()})
    w.tolerate("column.blank", s, column="政策解读", path=jd.path,
               note="its list exists only after a script decodes it: blank only to a sweep without the browser")
    w.control("script_built_internal_list", s, path=jd.path,
              note="script-built list of internal links: not hidden/spam",
              rules=["content.hidden_link", "link.unsafe"])
    return s


# -- 8. the clean control -------------------------------------------------------------

def build_clean(w: World, n: Scaler) -> Site:
    s = w.add_site(TrsSite(w, sid="9901000005", name="示范市教育局", host="jyj", kind="department",
                           org="示范市教育局", region="示范市", place="示范市",
                           phone="0999-12340005", police="99010002000105"))
    c = std_columns_fresh(s, n, [
        ("jydt", "教育动态", "news", "新闻动态", 50),
        ("tzgg", "通知公告", "notice", "政务公开", 30),
        ("zcwj", "政策文件", "policy", "政务公开", 20),
        ("rsxx", "人事信息", "personnel", "政务公开", 10),
        ("ghjh", "规划计划", "plan", "政务公开", 5),
    ])
    letters = s.add_column("hdjl/jzxx", "局长信箱", "letter", "互动交流", n(15), newest_age=1, on_home=False)
    s.add_column("hdjl/lytj", "留言统计", "msgstats", "互动交流", n(6), newest_age=4, on_home=False)
    dt = c["jydt"]
    it = s.add_item(dt, 3, "我市开展中小学生爱国主义教育实践活动",
                    inject="同学们参观了辛亥革命纪念展，了解1912年中华民国成立前后的历史。"
                           "桃源镇村民李强作为志愿讲解员参与了活动。截至目前，全市已有四十余所学校参加，"
                           "各校将再接再厉，持续开展实践教育。")
    for t, rules in (("1912年中华民国成立", ["content.prohibited"]), ("村民李强", ["content.leader_title"]),
                     ("截至目前", ["content.typo"]), ("再接再厉", ["content.typo"])):
        w.control("correct_text", s, item=it, text=t, rules=rules)
    sub, r5, r6, cal = letters_case(w)
    it = add_letter(s, letters, sub, r5, "关于学生资助政策的咨询", asker="周**")
    w.control("reply_on_5th_working_day", s, item=it, rules=["interaction.slow_reply"],
              evidence={"submitted": sub.isoformat(), "replied": r5.isoformat(),
                        "holiday_and_makeup_day": cal})
    w.control("clean_site", s, path=s.home, note="no finding of any rule on this site", rules=["*"])
    return s


def build_county(w: World, n: Scaler, sid: str, name: str, place: str) -> Site:
    """Benchmark filler: a fresh TRS county portal."""
    host = "c" + sid[4:6]
    s = w.add_site(TrsSite(w, sid=sid, name=name, host=host, kind="portal", org=f"{name}办公室",
                           region=place, place=place))
    std_columns_fresh(s, n, [
        ("xwzx/gzdt", "工作动态", "news", "新闻中心", 60),
        ("xwzx/xzdt", "乡镇动态", "news", "新闻中心", 40),
        ("xxgk/tzgg", "通知公告", "notice", "政务公开", 30),
        ("xxgk/zcwj", "政策文件", "policy", "政务公开", 15),
    ])
    s.add_column("hdjl/xx", "领导信箱", "letter", "互动交流", n(10), newest_age=1, on_home=False)
    return s


