"""What the empty search page offers: topics teachers look for most (the district plan's
training themes). Search words, not interface text, so they stay Chinese."""

SUGGESTED_SEARCHES = (
    "情绪管理",
    "家访",
    "青春期",
    "家校沟通",
    "心理危机",
    "师生关系",
    "沉迷手机",
    "作业设计",
    "学习动力",
    "家庭教育",
)


def suggested_searches() -> list[str]:
    return list(SUGGESTED_SEARCHES)
