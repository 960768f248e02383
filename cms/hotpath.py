"""One live Wagtail page by id in one hand-written SQL statement, for the request paths that
run thousands of times a minute on lecture day (the xAPI endpoint, the check-in POST).

Building the same query with the ORM (a `PageQuerySet` with `live()` and Exists/Subquery
annotations) costs 1–2 ms of CPU per request in query compilation alone, more than the
database takes to answer it; bench/README.md has the before/after figures.
"""

from wagtail.models import Page


def live_page_sql(model: type[Page], *extra_columns: str) -> str:
    """SQL selecting every column of `model` (a concrete Page subclass) and of its Page row,
    plus `extra_columns` (SQL expressions with their own `AS name`, which may refer to the
    page row as `p` and the specific row as `s`), for the live page whose id is the LAST
    query parameter. Use with `model.objects.raw(sql, [*extra_params, page_id])`: the result
    is a full instance (no deferred fields) carrying the extra columns as attributes.

    Only table names and the caller's constant expressions are formatted in; every value is
    a query parameter."""
    columns = ",\n  ".join(["p.*", "s.*", *extra_columns])
    page, specific = Page._meta.db_table, model._meta.db_table
    return (
        f"SELECT {columns}\n"
        f"FROM {specific} s INNER JOIN {page} p ON p.id = s.page_ptr_id\n"
        "WHERE s.page_ptr_id = %s AND p.live"
    )


def parent_path_sql(alias: str = "p") -> str:
    """SQL for the tree path of page `alias`'s parent (Wagtail's materialised path: the
    parent's path is the page's minus its last step); takes Page.steplen as a parameter."""
    return f"SUBSTR({alias}.path, 1, ({alias}.depth - 1) * %s)"
