"""A small Flask app to run behind preforkd's mod_proxy (see README.md, "Serving a Flask app").

Gunicorn runs it (gunicorn.conf.py); preforkd serves static/ itself and passes the rest here.
test/integration/check_proxy.c drives every view below through preforkd.
"""
import hashlib
import os
import time

from flask import Flask, Response, jsonify, make_response, redirect, request, url_for

app = Flask(__name__)


@app.get("/")
def index():
    return "hello from flask\n"


@app.get("/whoami")
def whoami():
    """What the app sees of the client: the headers preforkd set."""
    names = ("Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded",
             "Connection", "X-Hop", "X-Custom")
    lines = [f"{n}: {request.headers.get(n, '-')}" for n in names]
    lines.append(f"path: {request.full_path}")
    lines.append(f"pid: {os.getpid()}")
    return "\n".join(lines) + "\n"


@app.post("/form")
def form():
    return f"name={request.form.get('name', '')} colour={request.form.get('colour', '')}\n"


@app.post("/json")
def json_sum():
    data = request.get_json(force=True)
    return jsonify(sum=sum(data.get("numbers", [])), echo=data.get("echo"))


@app.post("/upload")
def upload():
    """The body read in pieces, as large uploads should be: its length and SHA-256."""
    digest, length = hashlib.sha256(), 0
    while True:
        piece = request.stream.read(65536)
        if not piece:
            break
        digest.update(piece)
        length += len(piece)
    return f"length={length} sha256={digest.hexdigest()}\n"


@app.get("/stream")
def stream():
    """A streamed (chunked) response: lines as they are made."""
    count = min(int(request.args.get("lines", "5")), 100000)

    def lines():
        for i in range(count):
            yield f"line {i}\n"

    return Response(lines(), mimetype="text/plain")


@app.get("/go")
def go():
    return redirect(url_for("index"))


@app.get("/cookie")
def cookie():
    response = make_response("cookie set\n")
    response.set_cookie("session", "abc123", path="/")
    return response


@app.get("/slow")
def slow():
    time.sleep(float(request.args.get("s", "3")))
    return "slow\n"
