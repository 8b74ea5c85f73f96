# Gunicorn's settings for app.py behind preforkd:
#   gunicorn -c gunicorn.conf.py app:app
# gthread workers keep connections alive (sync workers close each one), so preforkd's
# workers reuse their upstream connections.
bind = ["unix:/srv/flask/app.sock", "127.0.0.1:8000"]
workers = 2
worker_class = "gthread"
threads = 4
keepalive = 5
timeout = 30
