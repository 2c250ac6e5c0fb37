# The lab's `ftplib` client: Python's ftplib as a program would use it, run by src/lab/lab.ts
# inside the client's namespace. Settings arrive as JSON on standard input; one JSON result
# (the dialogue, and the step and error that ended it) goes to standard output.
import ftplib
import io
import json
import sys

cfg = json.load(sys.stdin)
out = {"lines": [], "ok": False, "failedAt": None, "error": None, "errorType": None, "code": None}


class Logged(ftplib.FTP):
    def putline(self, line):
        out["lines"].append("C: " + line)
        super().putline(line)

    def getline(self):
        line = super().getline()
        out["lines"].append("S: " + line)
        return line


ftp = Logged(timeout=cfg["timeout"])
step = "connect"
try:
    ftp.connect(cfg["host"], 21)
    step = "login"
    ftp.login(cfg["user"], cfg["password"])
    ftp.set_pasv(cfg["mode"] == "passive")
    for command in cfg["commands"]:
        step = command
        verb, _, arg = command.partition(" ")
        verb = verb.upper()
        if verb in ("LIST", "NLST"):
            ftp.retrlines(command, lambda line: None)
        elif verb == "RETR":
            if cfg["type"] == "binary":
                ftp.retrbinary(command, lambda block: None)
            else:
                ftp.retrlines(command, lambda line: None)
        elif verb == "STOR":
            data = io.BytesIO(b"Uploaded by the FTP Lab client.\nLine two.\n")
            if cfg["type"] == "binary":
                ftp.storbinary(command, data)
            else:
                ftp.storlines(command, data)
        else:
            ftp.sendcmd(command)
    step = "QUIT"
    ftp.quit()
    out["ok"] = True
except ftplib.all_errors as error:
    out["failedAt"] = step
    out["error"] = str(error)
    out["errorType"] = type(error).__name__
    text = str(error)
    out["code"] = int(text[:3]) if text[:3].isdigit() else None
    ftp.close()
print(json.dumps(out))
