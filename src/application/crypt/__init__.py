"""Field encryption as the use cases see it: values sealed on the way in, opened on the way out."""
