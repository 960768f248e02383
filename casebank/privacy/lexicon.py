"""Word lists behind person-name detection: surnames, given-name characters, words that
start with a surname character but are not names, and the context around names.

Chosen by hand from the common-surname rankings (百家姓 by today's population) and common
given-name characters; characters that are mostly function words (和, 时, 国, 明, 于是's
于 stays because it is a top-100 surname) are left out of the surname list so that prose
does not light up. Dictionary words are also filtered through jieba's dictionary at scan
time (see names.py), so these lists only hold what the dictionary gets wrong.
"""

# The ~300 most common single-character surnames, minus characters that are mostly
# function words or common morphemes and rarely surnames (和 时 明 原 国 平 初 门 云 来 都
# 那 公 利 信 由 元 但 干 位 区 海 花 相 南 班 乐 商 师 强 全 应 成 ...).
SINGLE_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
    "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂苗谷盛曲翁冉骆蓝路游辛靳"
    "管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤穆卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米"
    "柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝封谈匡鞠惠荆冀"
    "郁胥储栗燕楚鄢劳谌奚皮粟冼蔺楼满闻厉伊仝郜阚权帅屠豆朴盖廉禹祖漆狄计索宣晋芮扈晁戈伏"
    "薄邸雍辜裘邰赫杭况逯隆茹诸慕嵇湛戎勾茅束檀"
)

COMPOUND_SURNAMES = frozenset(
    (
        "欧阳 上官 司马 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 西门 独孤 "
        "南宫 呼延 轩辕 澹台 申屠 闻人 钟离 宗政 濮阳 淳于 单于 赫连 拓跋 鲜于 东郭 左丘 "
        "司空 巫马 公西 乐正 百里 万俟"
    ).split()
)

# Characters that commonly make up given names. Function words and role nouns (的 和 是 在
# 说 同 老 师 妈 爸 某 …) are deliberately absent: 王同学, 张老师, 李妈妈, 王某 then never
# read as full names.
GIVEN_CHARS = frozenset(
    "伟刚勇毅俊峰强军保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利"
    "清飞彬富顺信子杰涛昌康星光天达安岩茂进林坚彪博诚先敬震振壮思群豪心邦承乐绍功松善厚庆"
    "磊民友裕河哲江超浩亮政谦亨奇固翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士建家致树炎"
    "德泰盛雄琛钧冠策腾楠榕风航弘秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤"
    "洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛"
    "青倩婷姣婉娴瑾颖露瑶怡婵雁蓓仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵园艺咏卿聪澜纯毓悦昭"
    "冰爽琬茗羽希欣育滢馥筠柔竹凝晓欢霄枫芸菲伊亚宜可舒影荔丽阳妮宝贝梵罡恒鸿桦骅剑娇宽灵"
    "媚琪晴容睿烁唯威韦雯苇萱彦宇雨洋忠宗曼紫逸轩涵梓昊宸铭皓瑜诗依晗萌悠沐妤熙彤珂蕾颜菡"
    "溪然墨远一帆凯野曦乔鑫巍坤敏静婧璇琪钰歆沁汐芊芮熠煜炜晟昱晖峻崇嵩骏驰腾毅勋卓凡铮"
    "锋锐琨瑛璟瑄玥珏珺琦岩森杉楷桐柏彬淼涵润泓澄潇湘沛淇渊源灿烨焕炫辉耀旻昕晋景智"
    "斐彧霖霏露霆雷震宵笑乐意蔚菲芷茹莹蓁萧苒薇蕙舟帆航佑祺奕弈瀚煊铠锴圣宥珩骁曜翊珞"
    "蔓茉湉涓"
)

# A given name of one character is plausible only for these (the very common ones); other
# characters after a surname are usually the next word (王道, 张贴, 高兴).
LONE_GIVEN_CHARS = frozenset(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华红雪琳颖浩丹萍鹏辉玲斌宇婷峰飞燕波倩"
    "晶莉俊琴璐凯彬鑫亮巍坤晨瑶蕾薇欣琦琪鸣岚彤萱楠帆毅昊硕爽悦怡洁梅兰菲"
)

# Every lone given-name character is a given-name character too (平, 硕).
GIVEN_CHARS = GIVEN_CHARS | LONE_GIVEN_CHARS

# Characters that may open a two-character given name but are not names on their own
# (王小明, 董一帆, 陈子轩).
FIRST_GIVEN_ONLY = frozenset("小一")

# Words that begin with a surname character and that jieba's dictionary tags as names or
# does not know; the dictionary catches the rest (高度, 常常, 于是, 方法, 周末 …).
STOP_WORDS = frozenset(
    (
        "王道 王国 王子 王者 王牌 林立 祝福 孔子 孟子 庄子 荀子 老子 韩非 墨子 孙子 叶子 李子 "
        "金子 石子 白天 白雪 汪洋 丁宁 方圆 高明 高峰 江山 黄金 金鑫 夏天 秋天 冬天 春天 "
        "武汉 杭州 苏州 江苏 安徽 温州 常州 高中 初中 钱包 张开 张望 陆续 马上 关于 向着 "
        "于是 常常 毛病 石头 龙舟 雷锋 梅花 兰花 柳树 杨树 林中 孙女 孙子 周围 周边 蒋介 "
        "苏醒 江南 黎明 程序 程度 方向 方式 方面 文明 明天 邓稼 鲁迅 曹操 诸葛亮 司马光 "
        "包括 包容 包含 万一 万分 任务 任何 任性 任意 严格 严重 严厉 安全 安静 安排 安心 "
        "宁静 宁可 童年 童话 房间 房子 车上 车站 路上 路口 边上 田野 向前 向往 向上 "
        "谈话 谈心 连续 连忙 焦虑 焦点 危机 纪律 项目 颜色 莫名 郁闷 华丽 华人 宋词 唐诗 "
        "明白 明显 明确 单独 单元 单亲 单位 季节 贾宝 林黛 牛奶 熊猫 乔丹 易懂 容易 "
        "司机 齐心 康复 钟表 曾经 甘心 解决 解释 管理 计划 计算 左右 简单 习惯 毕业 毕竟 "
        "成绩 成长 成为 成功 付出 和谐 温暖 温柔 温和 温度 陈述 史书 花朵 平时 和平 "
        "范围 游戏 水平 舒服 屈服 支持 杜绝 蓝色 黄色 白色 金色 红色 盛开 葛优 "
        "宫殿 党员 冷静 凌晨 施工 封面 申请 史料 段落 燕子 幸福 尚未 尚且 经常 谷底 "
        "查看 查找 苗头 龚自 麦当 麻烦 费用 洪水 雍正 乾隆 岳飞 屈原 秦朝 汤圆 钱财 "
        "金钱 金额 邱吉 关心 关系 关注 关键 邵氏 苏轼 杜甫 李白 白居 陶渊 欧阳修 "
        "段时 伍佰 晏殊 柏拉 卢梭 韩国 汤姆 俞敏 符合 管道 卫生 卫星 宣传 宣布 楚楚 "
        "蒙古 满意 满分 闻名 厉害 权利 权力 束缚 漆黑 贺卡 贺年 项链 储蓄 储存 燕麦 "
        "曲线 曲折 游泳 游玩 游览 辛苦 辛勤 靳东 冷漠 冷淡 雷雨 谷物 盖住 计较 席位 "
        "巫婆 寇准 桑拿 查询 查阅 池塘 迟到 迟疑 匡正 惠及 薄弱 雍容 隆重 戈壁 伏笔 "
        "郎中 晋升 甄别 习俗 穆斯 卓越 吉祥 吉他 古代 古诗 古人 简易 车辆 项羽 连接 "
        "连同 芦苇 娄底 窦娥 戚继 岑参 景象 景色 景点 宫廷 费心 卜算 冷冻 晏婴 卫视 "
        "米饭 宗旨 宗教 瞿秋 桂花 臧克 边缘 边境 姬发 仇恨 沙发 沙子 荣誉 荣幸 巩固 "
        "池子 麻将 苑囿 封建 谈论 鞠躬 冀州 储备 楚国 劳动 劳累 奚落 皮肤 粟米 楼上 "
        "楼下 楼梯 满足 闻到 帅气 屠杀 豆腐 朴素 盖章 廉洁 祖国 祖父 祖母 计算机 索取 "
        "宣讲 晋级 戈尔 伏案 薄荷 辜负 扈从 况且 诸位 诸多 诸如 慕名 束手 檀香 茅草 "
        "茹素 湛蓝 戎装 勾画 隆冬 邸报 赫然 杭州湾 晁盖 杨柳 叶落 罗列 郑重 梁山 "
        "谢谢 唐突 许多 许可 韩信 冯唐 曹雪 彭湃 曾国 田地 董事 袁隆 潘多 余下 余额 "
        "余地 杜撰 程式 苏格 魏晋 吕布 丁点 任教 任课 沈阳 姚明 卢沟 姜太 崔颢 钟爱 "
        "钟点 谭嗣 陆地 汪汪 范文 金牌 石油 廖化 贾岛 夏令 韦小 付款 傅雷 方才 白白 "
        "邹忌 孟母 熊熊 秦始 邱少 江河 尹雪 薛宝 段落 雷同 侯爷 龙门 史册 陶器 黎族 "
        "贺词 顾客 顾问 顾及 顾虑 顾全 毛衣 郝思 龚丽 邵雍 万千 钱塘 严肃 覃塘 武术 "
        "戴上 戴着 莫非 孔融 向日 汤匙 常识 常规 常年 温馨 康乃 施舍 文章 文化 文字 "
        "牛顿 樊篱 葛布 邢台 安稳 齐全 易经 乔木 伍子 庞大 颜料 倪匡 庄严 聂耳 章节 "
        "章程 鲁莽 岳阳 翟鹏 殷切 詹天 申报 欧洲 耿直 关爱 兰州 焦急 俞伯 左边 柳条 "
        "甘肃 祝贺 包裹 宁愿 尚书 符号 舒适 阮籍 柯南 纪念 梅雨 童心 凌乱 毕生 单调 "
        "裴多 霍金 涂鸦 苗条 谷歌 盛夏 曲艺 翁仲 冉冉 骆驼 蓝天 路过 游客 辛亥 管教 "
        # jieba tags these as names, but in case prose they are everyday words
        "丛林 丛生 余光 余波 余生 余辉 余晖 余震 余韵 余香 余兴 冷清 冷笑 冷艳 冷光 冷锋 "
        "刘海 单飞 古文 古琴 古雅 史诗 叶茂 向阳 向东 周全 安保 安康 安然 安逸 安顺 宣言 "
        "尚武 常青 常胜 庄园 康乐 康健 廉政 廉明 文武 文雅 权威 权贵 杨梅 柏树 查明 查清 "
        "桂冠 桂树 桑叶 梅园 梅子 殷勤 毛发 毛竹 沈思 沙龙 温文 温良 温雅 温顺 田园 白云 "
        "白光 白发 白玉 白莲 盖子 盛世 石英 祖先 祖宗 童子 童星 童真 童颜 胡子 胡思 胡言 "
        "艾叶 荣光 荣华 荣耀 萧萧 蓝光 谈天 贺信 连珠 连胜 金光 金秋 金玉 闻言 闻风 陆军 "
        "陶然 雷鸣 雷达 雷霆 马达 高雅 高超 高清 高强 齐鸣 龙凤 麦子 黄叶 黄梅 齐家 武林 "
        "武功 柳眉 边远 诸君 诸生 诸子 万全 付清 仲春 仲秋 凌云 古龙 宫保 封信 屈才 帅才 "
        "易生 曲奇 林园 林海 柳林 梅林 桑园 栗子 栗树 粟子 苏子 苗子 章子 索子 马子 段子 "
        "娄子 盖世 童军 童生 童贞 荣军 秦军 苏军 赵军 白军 宋元 雷峰 龙飞 金刚 马克 麦克"
    ).split()
)

# Words (or word starts) that precede a name of a person in case prose.
CUE_BEFORE = (
    "学生",
    "同学",
    "孩子",
    "家长",
    "母亲",
    "父亲",
    "妈妈",
    "爸爸",
    "爷爷",
    "奶奶",
    "外公",
    "外婆",
    "姥姥",
    "姥爷",
    "哥哥",
    "姐姐",
    "弟弟",
    "妹妹",
    "儿子",
    "女儿",
    "继父",
    "继母",
    "舅舅",
    "姑姑",
    "阿姨",
    "叔叔",
    "名叫",
    "叫做",
    "叫",
    "姓名",
    "名字",
    "真名是",
    "班长",
    "同桌",
    "委员",
    "班主任",
    "校长",
    "老师",
    "教师",
    "导师",
    "监护人",
    "联系人",
    "男生",
    "女生",
    "男孩",
    "女孩",
    "转入学生",
    "学员",
)

# Words right after a full name that confirm it (张伟同学, 王小明的母亲, 李华说).
CUE_AFTER = (
    "同学",
    "老师",
    "说",
    "告诉",
    "的母亲",
    "的父亲",
    "的妈妈",
    "的爸爸",
    "的家长",
    "的爷爷",
    "的奶奶",
    "的外公",
    "的外婆",
    "的作文",
    "的手臂",
    "家长",
    "妈妈",
    "爸爸",
)

# Role words that make a surname + word a pseudonym (王同学, 李妈妈, 张老师, 王某, 李某某).
PSEUDONYM_TAILS = (
    "同学",
    "老师",
    "妈妈",
    "爸爸",
    "家长",
    "师傅",
    "阿姨",
    "叔叔",
    "校长",
    "主任",
    "医生",
    "护士",
    "先生",
    "女士",
    "奶奶",
    "爷爷",
    "某",
    "姓",
    "氏",
    "总",
)

# Characters before a surname that turn it into a nickname (小王, 老李, 阿张) or show it is
# part of a longer word.
NICKNAME_PREFIXES = frozenset("小老阿大")
