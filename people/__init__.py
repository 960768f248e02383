"""Schools, teachers (the custom user model), roles, lecturer profiles and roster import."""
