"""HTML fixtures for the hacked-page tests, written for these tests.

Each attack reproduces a pattern seen on hacked government pages (hidden gambling link
blocks, brands spliced with dingbats, script-written links in several encodings, cloaked
titles, trailing spam links after an article) with invented domains and wording; the
controls are the legitimate look-alikes that must never be flagged.
"""

from __future__ import annotations

import base64
import re

SITE = "http://www.demo-city.gov.cn"


def page(body: str, *, title: str = "某市人民政府", head: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
            f"<body style='background:#ffffff'>{body}</body></html>")


ARTICLE = ("<div class='TRS_Editor'><p>为进一步做好今年汛期安全工作，市政府办公室近日召开专题会议，"
           "部署防汛抗旱各项任务，要求各部门压实责任、加强值守。</p></div>")


def char_codes(s: str) -> str:
    return ",".join(str(ord(c)) for c in s)


def pack(code: str) -> str:
    """A p,a,c,k,e,d-style packed script (our own packer, base 62)."""
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def enc(n: int) -> str:
        return alphabet[n] if n < 62 else enc(n // 62) + alphabet[n % 62]

    words: list[str] = []
    for w in re.findall(r"\b\w+\b", code):
        if w not in words:
            words.append(w)
    payload = re.sub(r"\b\w+\b", lambda m: enc(words.index(m.group(0))), code)
    payload = payload.replace("\\", "\\\\").replace("'", "\\'")
    return ("eval(function(p,a,c,k,e,d){e=function(c){return(c<a?'':e(parseInt(c/a)))+"
            "((c=c%a)>35?String.fromCharCode(c+29):c.toString(36))};if(!''.replace(/^/,String))"
            "{while(c--)d[e(c)]=k[c]||e(c);k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};"
            "while(c--)if(k[c])p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c]);return p}"
            f"('{payload}',62,{len(words)},'{'|'.join(words)}'.split('|'),0,{{}}))")


# -- attacks: (name, html, expected (rule, severity, target-host or text fragment)) --------------
HIDDEN_BLOCK = page(ARTICLE + """
<div style="display:none">
 <a href="http://www.amjs8888.com/">澳门金沙娱乐城</a>
 <a href="http://www.qx7kzp3w.net/">开云体育官网</a>
 <a href="http://bet365-vip.cc/">体育投注</a>
</div>""")

OFFSCREEN_DINGBATS = page(ARTICLE + """
<div style="position:absolute; left:-7000px; top:-3000px">
 <a href="http://www.zqhw2.com/">凯✿发❦娱乐</a> 推荐★必✿赢❦亚洲 首页
</div>""")

STYLESHEET_HIDDEN = page(ARTICLE + """
<div class="xq-links"><a href="http://www.hg0088tz.com/">皇冠体育</a><a href="http://www.hg0088tz.com/a">百家乐</a></div>""",
                         head="<style>.xq-links{height:0;overflow:hidden}</style>")

COLOUR_FONT_MARQUEE = page(ARTICLE + """
<div style="background-color:#fff"><p style="color:#ffffff">六合彩开奖 <a href="http://lhc-kj.example.org/">六合彩</a></p></div>
<div style="font-size:0"><a href="http://www.vns6677.com/">澳门威尼斯人</a></div>
<marquee height="1" width="1" scrollamount="3000"><a href="http://www.xpj9988.com/">新葡京</a></marquee>
<iframe src="http://www.pk10-yule.com/box.html" width="0" height="0" frameborder="0"></iframe>""")

FROMCHARCODE = page(ARTICLE + "<script>document.write(String.fromCharCode(" +
                    char_codes('<div style="display:none"><a href="http://www.ky8899ty.com/">开云体育</a></div>') +
                    "));</script>")

PACKED = page(ARTICLE + "<script>" +
              pack('document.write("<a href=\\"http://www.bwin-cn.net/\\">365bet官方</a>")') + "</script>")

ATOB = page(ARTICLE + "<div id='f'></div><script>var s='" +
            base64.b64encode('<a href="http://www.jsyl668.com/">金沙娱乐</a>'.encode()).decode() +
            "';document.getElementById('f').innerHTML=atob(s);</script>")

UNESCAPE_HEX = page(ARTICLE + "<script>var u=\"\\x3ca href=\\x22http://www.yl-9x8z.top/\\x22\\x3e\";"
                    "u+=unescape('%u516D%u5408%u5F69')+'</a>';document.write(u);</script>")

# seed 000's pattern, in our words: spam phrases and bare links after the article body
TRAILING = page(ARTICLE + """
<p>午夜影院免费看,成人视频在线,六合彩内部资料|<a href="http://www.qkzw8.com.cn/">www.qkzw8.com.cn</a>
 <a href="http://www.mtjx66.com/">www.mtjx66.com</a></p>""")

# seed 004's pattern: porn/gambling phrases injected into the title, only for search engines
CLEAN_TITLE = "某市人民政府关于做好汛期安全工作的通知"
SPAM_TITLE = "午夜影院免费观看_澳门金沙娱乐城_百家乐在线"

UA_SCRIPT_TITLE = page(ARTICLE + """<script>
var ua = navigator.userAgent.toLowerCase();
if (ua.indexOf("baiduspider") > -1 || ua.indexOf("sogou") > -1) {
  document.title = "\\u5348\\u591c\\u5f71\\u9662\\u514d\\u8d39\\u89c2\\u770b";
}</script>""", title=CLEAN_TITLE)

REFERRER_REDIRECT = page(ARTICLE + """<script>
var r = document.referrer;
if (r.indexOf("baidu.com") > 0 || r.indexOf("sogou.com") > 0) {
  window.location.href = "http://www.bet-77k.com/?from=gov";
}</script>""")

META_REFRESH = page(ARTICLE, head="<meta http-equiv='refresh' content='0;url=http://www.casino-mx.com/'>")

# -- controls --------------------------------------------------------------------------------------
CONTROLS = page("""
<a class="skip" href="#main" style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden">跳到主要内容</a>
<div class="nav"><ul><li><a href="/xxgk/">信息公开</a>
  <ul class="submenu" style="display:none"><li><a href="/xxgk/tzgg/">通知公告</a></li><li><a href="/xxgk/zcwj/">政策文件</a></li></ul></li></ul></div>
<div class="header" style="background:#c8102e"><a style="color:#fff" href="/">首页</a></div>
<div class="row" style="font-size:0"><span style="font-size:14px"><a href="/zwdt/">政务动态</a></span></div>
<div id="main">""" + ARTICLE + """</div>
<div class="yqlj"><a href="http://www.shaanxi.gov.cn/">陕西省人民政府</a>
  <div class="yqlj-drop" style="display:none"><a href="http://www.weinan.gov.cn/">渭南市人民政府</a>
  <a href="http://www.people.com.cn/">人民网</a></div></div>
<div class="tab-more" style="display:none"><a href="http://www.icbc.com.cn/">工商银行</a></div>
<a href="http://www.12306.cn/">铁路12306</a>
<script>document.write('<a href="/index.html">返回首页</a>');</script>
<script>document.write(unescape("%3Cspan id='_ideConac'%3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/27/000/0000/61050000/CA270000000610500001.js' type='text/javascript'%3E%3C/script%3E"));</script>
<script>var cnzz_protocol = (("https:" == document.location.protocol) ? "https://" : "http://");document.write(unescape("%3Cspan id='cnzz_stat_icon_1000000'%3E%3C/span%3E%3Cscript src='" + cnzz_protocol + "s9.cnzz.com/z_stat.php%3Fid%3D1000000' type='text/javascript'%3E%3C/script%3E"));</script>
<script>document.write(new Date().getFullYear() + "年");</script>
<script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");hm.src="https://hm.baidu.com/hm.js?0123456789abcdef";var s=document.getElementsByTagName("script")[0];s.parentNode.insertBefore(hm,s);})();</script>
<div id="oldie" style="display:none">您的浏览器版本过低，请升级：<a href="https://www.google.cn/chrome/">Chrome</a>
<a href="https://www.firefox.com.cn/">Firefox</a><a href="https://www.microsoft.com/edge">Edge</a></div>
<div style="display:none"><script src="https://s4.cnzz.com/z_stat.php?id=1000000"></script>
<a href="https://www.cnzz.com/stat/website.php?web_id=1000000" title="站长统计">站长统计</a>
<a href="https://tongji.baidu.com/">百度统计</a></div>
<div class="wza-bar" style="display:none"><a href="http://www.accessible-tools.example/help">无障碍帮助</a></div>
<div class="footer">主办单位：某市人民政府办公室 <a href="https://bszs.conac.cn/sitename?method=show&id=1">党政机关</a>
<a href="https://beian.miit.gov.cn/">陕ICP备00000000号</a></div>
""", title="某市人民政府")

# spam appended after the document's end (libxml2 would drop it)
AFTER_HTML = page(ARTICLE) + '\n<a href="http://www.pj-9k2x.com/lhc.html">六合彩开奖结果</a>\n'

# spam text (no link) written by an escaped script
SCRIPT_TEXT = page(ARTICLE + "<script>document.write(\"" +
                   "".join(f"\\u{ord(c):04x}" for c in "<p style='display:none'>百家乐在线 真人娱乐</p>") +
                   "\");</script>")
