"""Replace Wagtail's welcome page with our HomePage, point the default site at it, and
grant the roles their page-tree permissions."""

from django.db import migrations

HOME_TITLE = "青浦区全员导师制研修平台"

PAGE_PERMISSIONS = {
    "讲师": ["add_page", "change_page"],
    "审核员": ["change_page", "publish_page"],
    "区管理员": [
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ],
}
COLLECTION_PERMISSIONS = {
    "讲师": ["add_image", "change_image", "choose_image", "add_document", "change_document",
           "choose_document"],
    "审核员": ["choose_image", "choose_document"],
    "区管理员": ["add_image", "change_image", "delete_image", "choose_image", "add_document",
             "change_document", "delete_document", "choose_document"],
}


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("cms", "HomePage")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
    # Wagtail's sample groups would sit beside our six roles and confuse admins.
    Group.objects.filter(name__in=["Moderators", "Editors"]).delete()

    # Wagtail's initial migration makes a "Welcome to your new Wagtail site!" page.
    Page.objects.filter(depth=2, url_path="/home/").exclude(
        content_type__app_label="cms"
    ).delete()
    root = Page.objects.get(depth=1)
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])

    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    home = HomePage.objects.filter(depth=2).first()
    if home is None:
        sibling_paths = list(Page.objects.filter(depth=2).values_list("path", flat=True))
        next_index = 1 + max((int(p[4:8], 36) for p in sibling_paths), default=0)
        path = root.path + _b36(next_index).rjust(4, "0")
        home = HomePage.objects.create(
            title=HOME_TITLE,
            draft_title=HOME_TITLE,
            slug="home",
            content_type=home_type,
            path=path,
            depth=2,
            numchild=0,
            url_path="/home/",
            locale=locale,
            live=True,
            hero_title="让每一位教师都成为学生成长的导师",
            hero_intro=(
                "<p>青浦区教师进修学院全员导师制研修平台：每月专题讲座、案例库、指导手册与在线课程，"
                "记录研修学分，帮助每位教师达到导师上岗条件。</p>"
            ),
        )
        root.numchild += 1
        root.save(update_fields=["numchild"])

    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True,
        site_name=HOME_TITLE,
    )

    root_collection = Collection.objects.get(depth=1)
    for role, codenames in PAGE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=home.pk, permission=permission
            )
    for role, codenames in COLLECTION_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        for codename in codenames:
            app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )


def _b36(number):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        number, rem = divmod(number, 36)
        out = digits[rem] + out
        if number == 0:
            return out


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("people", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_home, migrations.RunPython.noop)]
