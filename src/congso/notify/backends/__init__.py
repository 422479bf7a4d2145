"""Where messages leave the platform: SMS backends and a development e-mail backend."""
