"""The 案例审核 review workflow around case pages: receivers, admin hooks (no publishing
around the workflow, the editor's privacy findings, placeholder redaction) and the teachers'
front-end submission."""
