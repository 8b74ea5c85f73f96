#!/usr/bin/python3
# hello.py — a Python CGI: query string and PATH_INFO back, UTF-8 body.
import os
import sys
sys.stdout.write("Content-Type: text/plain; charset=utf-8\r\n\r\n")
sys.stdout.write("python query=%s path_info=%s\n" % (os.environ.get("QUERY_STRING", ""),
                                                     os.environ.get("PATH_INFO", "")))
