"""Word lists the demo generators draw from: surnames, given-name characters, places, subjects."""

from dataclasses import dataclass


def _weighted(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """'王 710 李 700' -> (('王', '李'), (710, 1410)): values and cumulative weights."""
    parts = text.split()
    values = tuple(parts[0::2])
    cumulative, total = [], 0
    for weight in parts[1::2]:
        total += int(weight)
        cumulative.append(total)
    return values, tuple(cumulative)


# Surnames with their approximate share of the population in units of 0.01 % (national
# figures, with the Jiangnan surnames common in Shanghai — 陆 顾 沈 钱 徐 朱 — nudged up).
SURNAMES, SURNAME_CUM_WEIGHTS = _weighted(
    """
    王 710 李 700 张 630 刘 540 陈 450 杨 310 黄 230 赵 220 吴 200 周 190 徐 170 孙 150
    马 140 朱 140 胡 130 郭 120 何 120 林 110 高 110 罗 100 郑 100 梁 90 谢 80 宋 70
    唐 70 许 70 韩 70 冯 70 邓 70 曹 70 彭 60 曾 60 肖 60 田 60 董 50 潘 50 袁 50 蔡 50
    蒋 50 余 50 于 50 杜 50 叶 50 程 40 魏 40 苏 40 吕 40 丁 40 任 40 沈 60 姚 40 卢 40
    傅 30 钟 30 姜 30 崔 30 谭 30 陆 50 范 30 汪 30 廖 30 石 30 金 30 韦 30 贾 30 夏 20
    付 20 方 20 邹 20 熊 20 白 20 孟 20 秦 20 邱 20 侯 20 江 20 尹 20 薛 20 闫 20 段 20
    雷 20 龙 20 黎 20 史 20 陶 20 贺 20 毛 20 郝 20 顾 30 龚 20 邵 20 万 20 覃 10 武 10
    钱 20 戴 10 严 10 施 10 俞 10 倪 10 汤 10 欧阳 3 司马 1 上官 1 诸葛 1 东方 1
    """
)

# Characters common in given names; the pools overlap on purpose (华, 晨, 佳 …).
GIVEN_FEMALE = tuple(
    "芳娟敏静丽艳燕玲婷雪慧颖琳洁霞萍红梅莉琴倩佳欣怡雯晶蕾璐菲露嘉悦瑶琪晓秀英华春玉兰"
    "凤云月丹妍蓉薇清岚宁馨彤睿晨思"
)
GIVEN_MALE = tuple(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林峰建国志文东海晨诚毅翔"
    "洋亮勤嘉骏昊哲彬锋松"
)

# Share of women among teachers, by stage (primary schools are mostly women).
FEMALE_SHARE = {"primary": 0.8, "junior": 0.65, "senior": 0.55}


@dataclass(frozen=True)
class District:
    name: str
    code_prefix: str
    email_label: str
    places: tuple[str, ...]


def _district(name: str, code_prefix: str, email_label: str, places: str) -> District:
    return District(name, code_prefix, email_label, tuple(places.split()))


QINGPU = _district(
    "青浦区",
    "QP",
    "qingpu",
    "朱家角 练塘 金泽 赵巷 徐泾 华新 重固 白鹤 香花桥 夏阳 盈浦 凤溪 崧泽 淀山湖 商榻 "
    "蒸淀 西岑 莲湖 沈巷 大盈 小蒸 珠溪 章堰 东湖",
)

# Shanghai's 16 districts, Qingpu first so that QP0001 is the first demo school at every scale.
DISTRICTS = (
    QINGPU,
    _district(
        "浦东新区",
        "PD",
        "pudong",
        "潍坊 陆家嘴 周家渡 塘桥 上钢 南码头 沪东 金杨 洋泾 浦兴 东明 花木 川沙 高桥 北蔡 合庆 "
        "唐镇 曹路 金桥 高行 高东 张江 三林 惠南 周浦 新场 大团 康桥 航头 祝桥 泥城 宣桥 书院 "
        "万祥 老港 南汇",
    ),
    _district(
        "黄浦区",
        "HP",
        "huangpu",
        "外滩 南京东路 豫园 老西门 小东门 半淞园 打浦桥 淮海中路 瑞金 五里桥",
    ),
    _district(
        "徐汇区",
        "XH",
        "xuhui",
        "徐家汇 天平 湖南 枫林 长桥 田林 虹梅 康健 斜土 龙华 凌云 漕河泾 华泾",
    ),
    _district(
        "长宁区", "CN", "changning", "华阳 江苏 新华 周家桥 天山 仙霞 虹桥 程家桥 北新泾 新泾"
    ),
    _district(
        "静安区",
        "JA",
        "jingan",
        "静安寺 曹家渡 江宁 石门 南京西路 天目 北站 宝山路 芷江 共和新 大宁 彭浦 临汾",
    ),
    _district("普陀区", "PT", "putuo", "长寿 曹杨 长风 宜川 甘泉 石泉 万里 真如 长征 桃浦"),
    _district("虹口区", "HK", "hongkou", "欧阳 曲阳 广中 嘉兴 凉城 北外滩 江湾 提篮桥"),
    _district(
        "杨浦区",
        "YP",
        "yangpu",
        "定海 平凉 江浦 四平 控江 长白 延吉 殷行 大桥 五角场 新江湾城 长海",
    ),
    _district(
        "闵行区",
        "MH",
        "minhang",
        "江川 古美 新虹 浦锦 莘庄 七宝 颛桥 华漕 虹桥 梅陇 吴泾 马桥 浦江",
    ),
    _district(
        "宝山区",
        "BS",
        "baoshan",
        "友谊 吴淞 张庙 罗店 大场 杨行 月浦 罗泾 顾村 高境 庙行 淞南",
    ),
    _district("嘉定区", "JD", "jiading", "新成 真新 菊园 南翔 安亭 马陆 徐行 华亭 外冈 江桥"),
    _district("金山区", "JS", "jinshan", "石化 朱泾 枫泾 张堰 亭林 吕巷 廊下 金山卫 漕泾 山阳"),
    _district(
        "松江区",
        "SJ",
        "songjiang",
        "岳阳 永丰 方松 中山 泗泾 佘山 车墩 新桥 洞泾 九亭 泖港 石湖荡 新浜 叶榭 小昆山",
    ),
    _district("奉贤区", "FX", "fengxian", "南桥 奉城 庄行 金汇 四团 青村 柘林 海湾 西渡 奉浦 金海"),
    _district(
        "崇明区",
        "CM",
        "chongming",
        "城桥 堡镇 新河 庙镇 竖新 向化 三星 港沿 中兴 陈家镇 绿华 港西 建设 新海 东平 长兴 横沙",
    ),
)

# Subjects taught at each stage, weighted by their rough share of teaching posts.
SUBJECTS = {
    "primary": _weighted(
        "语文 26 数学 22 英语 12 道德与法治 4 科学 6 音乐 5 美术 5 体育与健身 9 信息科技 3 "
        "劳动技术 3 心理健康 2"
    ),
    "junior": _weighted(
        "语文 16 数学 16 英语 15 物理 6 化学 4 生物 4 历史 5 地理 5 道德与法治 5 科学 4 音乐 3 "
        "美术 3 体育与健身 8 信息科技 3 劳动技术 2 心理健康 2"
    ),
    "senior": _weighted(
        "语文 14 数学 14 英语 14 物理 8 化学 7 生物 6 历史 6 地理 5 思想政治 6 音乐 2 美术 2 "
        "体育与健身 7 信息科技 3 通用技术 2 心理健康 2"
    ),
}

# Chance of being a 班主任 by subject; the main subjects carry most class-teacher posts,
# which puts the overall share near one in four.
HEAD_TEACHER_CHANCE = {
    "语文": 0.45,
    "数学": 0.4,
    "英语": 0.35,
    **dict.fromkeys(("物理", "化学", "生物", "历史", "地理", "道德与法治", "思想政治"), 0.15),
}
HEAD_TEACHER_CHANCE_OTHER = 0.02

# 职称 shares in % and the years of service each usually comes with.
TITLES, TITLE_CUM_WEIGHTS = _weighted("second 38 first 42 senior 14 third 4 full_senior 2")
TITLE_YEARS = {
    "third": (0, 2),
    "second": (1, 12),
    "first": (6, 28),
    "senior": (12, 35),
    "full_senior": (20, 38),
}

# Mobile number prefixes of the three carriers.
MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 177 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()

ROAD_SUFFIXES = ("路", "中路", "东路", "西路", "南路", "北路", "大街")
