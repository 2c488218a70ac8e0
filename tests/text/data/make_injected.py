"""Writes injected.jsonl: our own labelled set of injected wording errors.

Every case is a sentence we wrote with one known error (rule, the exact wrong
span) or, for the `*_ok` categories, none (the checker must stay silent).
Run: .venv/bin/python tests/text/data/make_injected.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("injected.jsonl")
CARRIERS = ["{x}在北京出席会议并发表重要讲话。", "会议传达学习了{x}的重要指示精神。", "{x}近日到我市调研指导工作，"
            "强调要抓好各项任务落实。"]


def case(cat, text, rule=None, span=None, date=None):
    d = {"category": cat, "text": text, "rule": rule}
    if span:
        d["span"] = span
    if date:
        d["date"] = date
    return d


def id_number(rng: random.Random) -> str:
    w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = f"{rng.choice(['110105', '320102', '610502', '440304'])}{rng.randint(1950, 2005)}" \
           f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(a) * b for a, b in zip(body, w)) % 11]


def main() -> None:
    rng = random.Random(20240601)
    cases = []
    # -- leader names: near-misses written next to a title or 同志
    for wrong in ["习近凭总书记", "习进平总书记", "习近评同志", "习金平主席", "李克墙总理", "王护宁主席",
                  "王户宁主席", "赵乐计委员长", "丁薛详副总理", "何立锋副总理", "张国青副总理", "刘国忠副总理",
                  "杜家豪书记"]:
        name = wrong[:3]
        for c in CARRIERS:
            cases.append(case("leader_name", c.format(x=wrong), "content.leader_name", name, "2024-05-01"))
    # -- leader titles on a date
    for text, span, date in [
        ("国务院副总理李强出席会议。", "国务院副总理李强", "2024-05-01"),
        ("国务院总理李克强主持召开国务院常务会议。", "国务院总理李克强", "2024-03-01"),
        ("全国人大常委会委员长栗战书出席开幕式。", "全国人大常委会委员长栗战书", "2024-01-10"),
        ("全国政协主席汪洋出席开幕会。", "全国政协主席汪洋", "2023-06-01"),
        ("国务院副总理韩正到企业调研。", "国务院副总理韩正", "2023-08-01"),
        ("国家副主席王岐山会见外宾。", "国家副主席王岐山", "2023-05-01"),
        ("国务院副总理刘鹤主持座谈会。", "国务院副总理刘鹤", "2023-09-01"),
        ("国务院副总理孙春兰考察医院。", "国务院副总理孙春兰", "2024-01-01"),
        ("国务院副总理胡春华出席活动。", "国务院副总理胡春华", "2023-12-01"),
        ("国家主席李强会见来访客人。", "国家主席李强", "2024-01-01"),
        ("李克强总理强调要稳住经济大盘。", "李克强总理", "2024-02-01"),
        ("汪洋主席出席座谈会。", "汪洋主席", "2024-02-01"),
        ("栗战书委员长指出，要加强立法。", "栗战书委员长", "2023-10-01"),
        ("中央纪委书记赵乐际出席会议。", "中央纪委书记赵乐际", "2023-05-01"),
        ("国务院总理李强在会上讲话。", "国务院总理李强", "2022-06-01"),
        ("国务院副总理何立峰出席论坛。", "国务院副总理何立峰", "2022-05-01"),
        ("全国政协主席王沪宁出席。", "全国政协主席王沪宁", "2022-12-01"),
        ("全国人大常委会委员长赵乐际主持会议。", "全国人大常委会委员长赵乐际", "2022-12-01"),
        ("国家副主席韩正会见代表团。", "国家副主席韩正", "2022-12-01"),
        ("韩正副总理出席签约仪式。", "韩正副总理", "2024-01-01"),
    ]:
        cases.append(case("leader_title", text, "content.leader_title", span, date))
    for text, date in [
        ("时任国务院总理李克强来到我市考察。", "2024-05-01"),
        ("2016年，国务院总理李克强来到我市考察。", "2024-05-01"),
        ("国务院总理李强主持召开国务院常务会议。", "2024-05-01"),
        ("村民李强说，今年收成不错。", "2024-05-01"),
        ("国务院副总理丁薛祥出席会议。", "2024-05-01"),
        ("全国政协主席王沪宁出席开幕会。", "2024-05-01"),
        ("国家副主席韩正会见外宾。", "2024-05-01"),
        ("习近平总书记强调，要坚持以人民为中心。", "2024-05-01"),
        ("中共中央总书记、国家主席、中央军委主席习近平发表重要讲话。", "2024-05-01"),
        ("李强总理主持会议。", "2024-05-01"),
    ]:
        cases.append(case("leader_ok", text, None, None, date))
    # -- formulations written wrong
    for wrong, carrier in [
        ("中华人民共合国", "根据《{x}行政许可法》的规定，"), ("中华人民和共国", "《{x}政府信息公开条例》"),
        ("中华人民和国", "{x}成立七十五周年"), ("全国人民代表大会常务委会", "{x}关于修改法律的决定"),
        ("两个确力", "深刻领悟{x}的决定性意义"), ("两个维户", "坚决做到{x}"), ("四个意试", "增强{x}"),
        ("四个自心", "坚定{x}"), ("习近平新时代中国特色社会主意思想", "以{x}为指导"),
        ("以习近平同志为核心的党中殃", "在{x}坚强领导下"), ("社会主义核心价直观", "培育和践行{x}"),
        ("中华民族伟大复星", "实现{x}"), ("人类命运共同休", "推动构建{x}"), ("全过程人民民住", "发展{x}"),
        ("中国式现代话", "以{x}全面推进强国建设"), ("新发展理年", "完整准确全面贯彻{x}"),
        ("共同富玉", "扎实推动{x}"), ("中国人民解放君", "{x}建军节"), ("最高人民检查院", "{x}工作报告"),
        ("国务院办工厅", "{x}关于印发通知"), ("毛泽东思相", "马克思列宁主义、{x}"), ("邓小平理伦", "{x}、三个代表重要思想"),
        ("科学发展关", "全面落实{x}"), ("铸劳中华民族共同体意识", "{x}"), ("中国共产当", "{x}第二十次全国代表大会"),
    ]:
        cases.append(case("phrase", carrier.format(x=wrong) + "。", "content.phrase", wrong, "2024-05-01"))
    # -- illegal content with every evasion
    zw = "\u200b"
    for term, trad in [("澳门金沙", "澳門金沙"), ("新葡京娱乐", "新葡京娛樂"), ("必赢亚洲", "必贏亞洲"),
                       ("开云体育", "開雲體育"), ("百家乐", "百家樂"), ("六合彩", "六合彩"), ("成人视频", "成人視頻"),
                       ("一夜情", "一夜情"), ("裸聊", "裸聊"), ("凯发娱乐", "凱發娛樂"), ("法轮大法好", "法輪大法好")]:
        variants = {
            "plain": term,
            "symbols": "★".join(term),
            "dingbats": "✿".join(term),
            "traditional": trad,
            "repeats": "".join(ch * 2 for ch in term),
            "zero_width": zw.join(term),
            "spaces": " ".join(term),
        }
        for how, v in variants.items():
            tail = "❦" if how == "dingbats" else ""
            cases.append(case("illegal", f"本站推荐{v}{tail}，更多精彩。", "content.illegal", v, "2024-05-01"))
    for v in ["３６５ｂｅｔ", "365BET", "3★6★5★b★e★t", "ｂｅｔ３６５"]:
        cases.append(case("illegal", f"最新网址{v}欢迎访问", "content.illegal", v, "2024-05-01"))
    for v in ["开云app下载", "★必★赢★", "凯发官网登录"]:
        cases.append(case("illegal", f"热门：{v}", "content.illegal", None, "2024-05-01"))
    for text in ["市政府召开云南省对口帮扶工作座谈会。", "体育彩票公益金资助项目公示。", "2024年成人高考报名通知。",
                 "我们到了澳门。金沙江畔风景如画。", "展开云计算应用试点。", "依法取缔邪教组织，维护社会稳定。",
                 "严厉打击网络赌博违法犯罪活动。", "严厉打击六合彩、老虎机等赌博违法犯罪活动。",
                 "依法查处一起利用百家乐开设赌场案。", "支援交通基础设施建设。", "台湾国民党主席发表讲话。",
                 "伊斯兰国家外长会议召开。"]:
        cases.append(case("illegal_ok", text, None, None, "2024-05-01"))
    # -- 新华社 banned terms
    for text, span in [("台湾总统出席活动。", "台湾总统"), ("台湾政府宣布措施。", "台湾政府"), ("北朝鲜举行阅兵。", "北朝鲜"),
                       ("南朝鲜与日本会谈。", "南朝鲜"), ("2020年中华民国选举后，", "中华民国"), ("蒙族群众欢度那达慕。", "蒙族"),
                       ("维族同胞载歌载舞。", "维族"), ("为残废人提供帮助。", "残废人"), ("满清入关以后，", "满清"),
                       ("中台关系出现变化。", "中台关系"), ("香港主权移交二十周年。", "香港主权移交")]:
        cases.append(case("prohibited", text, "content.prohibited", span, "2024-05-01"))
    for text in ["1912年中华民国成立。", "所谓“中华民国”并不存在。", "中华民国时期的建筑得到保护。", "朝鲜举行阅兵。",
                 "台湾地区领导人发表讲话。", "为残疾人提供帮助。"]:
        cases.append(case("prohibited_ok", text, None, None, "2024-05-01"))
    # -- typos: confusion pairs and near-miss official words
    for text, span in [("希望大家再接再励。", "再接再励"), ("截止目前，已完成投资12亿元。", "截止目前"),
                       ("完善农产品上行发展机智。", "发展机智"), ("按步就班推进工作。", "按步就班"),
                       ("群众迫不急待地询问。", "迫不急待"), ("一如继往地支持。", "一如继往"),
                       ("认真贯撤落实会议精神。", "贯撤落实"), ("对全年工作进行安排布署。", "安排布署"),
                       ("持续优化营商环竟。", "营商环竟"), ("全面推进乡村震兴。", "乡村震兴"),
                       ("抓好安全声产工作。", "安全声产"), ("做好疫情防空工作。", "疫情防空"),
                       ("深化放管复改革。", "放管复"), ("坚持实事球是。", "实事球是"), ("始终与时具进。", "与时具进"),
                       ("加强党风廉正建设。", "党风廉正"), ("坚持求真务时。", "求真务时"),
                       ("加强意识型态工作。", "意识型态"), ("开展两学一作学习教育。", "两学一作"),
                       ("严历打击违法行为。", "严历打击"), ("工程已于上月峻工。", "峻工")]:
        cases.append(case("typo", text, "content.typo", span, "2024-05-01"))
    # -- privacy
    for i in range(10):
        idn = id_number(rng)
        mob = f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
        cases.append(case("privacy", f"拟录用人员公示：张{i}，身份证号{idn}，联系电话{mob}。",
                          "content.privacy", idn, "2024-05-01"))
        cases.append(case("privacy", f"低保对象名单公示：李{i}，电话{mob}。", "content.privacy", mob, "2024-05-01"))
    for i in range(5):
        idn = id_number(rng)
        broken = idn[:17] + ("0" if idn[17] != "0" else "1")
        cases.append(case("privacy_ok", f"公示：王{i}，身份证号{broken}。", None, None, "2024-05-01"))
        cases.append(case("privacy_ok", f"公示：赵{i}，身份证号{idn[:6]}********{idn[14:]}。", None, None, "2024-05-01"))
        cases.append(case("privacy_ok", f"咨询电话：1390000{i:04d}，欢迎来电。", None, None, "2024-05-01"))
    with open(OUT, "w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
