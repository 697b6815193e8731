"""A mock-up of the digest's thread in Slack, as one HTML page (make.py screenshots it).

Not a screenshot of Slack: a page laid out like Slack's thread pane (the digest
posted by the bot, then its reply carrying the charts, as files_upload_v2 shares
them), with the very PNGs and words the bot sends. Under the mock-up, set apart
and labelled, each picture's alt text: Slack does not show it, a screen reader
reads it out. The banner says it is a mock-up.
"""

from __future__ import annotations

import html
from typing import Any

from bot.render.charts import data_uri
from partnership.digest_uploads import chart_files
from partnership.messages import charts as say

STYLE = """
body { margin: 0; background: #f8f8f8; font: 15px/1.45 Lato, "DejaVu Sans", Arial, sans-serif;
  color: #1d1c1d; }
.banner { background: #fff4d6; border-bottom: 1px solid #e8c66b; padding: 8px 20px;
  font-size: 13px; }
.pane { width: 620px; margin: 0 auto; background: #fff; border: 1px solid #ddd;
  border-top: 0; }
.head { padding: 12px 20px; border-bottom: 1px solid #ddd; font-weight: 900; }
.head span { font-weight: 400; color: #616061; font-size: 13px; margin-left: 6px; }
.msg { display: flex; padding: 10px 20px; }
.avatar { width: 36px; height: 36px; border-radius: 6px; background: #1d70b8; color: #fff;
  font-weight: 900; font-size: 13px; display: flex; align-items: center;
  justify-content: center; margin-right: 10px; flex: none; }
.who { font-weight: 900; }
.app { background: #e8e8e8; color: #616061; font-size: 10px; font-weight: 700;
  padding: 1px 3px; border-radius: 2px; margin: 0 4px; }
.when { color: #616061; font-size: 12px; }
.replies { color: #616061; font-size: 13px; padding: 4px 20px 8px 66px;
  border-bottom: 1px solid #ddd; }
.file { margin-top: 6px; }
.file .name { font-size: 13px; color: #616061; }
.file img { display: block; border: 1px solid #ddd; border-radius: 8px; margin-top: 2px; }
.alt { width: 620px; margin: 14px auto; font-size: 13px; color: #1d1c1d; }
.alt h2 { font-size: 14px; margin: 0 0 4px; }
.alt p { margin: 0 0 6px; }
"""


def page(data: dict[str, Any], pictures: dict[str, bytes], shown: int = 3) -> str:
    """The mock-up page: the digest, then its charts' reply with the first ``shown``."""
    files = chart_files(data)[:shown]
    meeting = data["meeting"]
    title = f"Digest for the {meeting['title']}, {meeting['weekday']} {meeting['date']}"
    e = html.escape
    comment = say.charts_comment(n=len(chart_files(data)))
    shared = []
    for i, f in enumerate(files):
        # Slack shows the first picture large, the others as smaller previews.
        width = 480 if i == 0 else 236
        shared.append(
            f'<div class="file"><div class="name">{e(f["title"])}</div>'
            f'<img src="{data_uri(pictures[f["spec"]["key"]])}" width="{width}" '
            f'alt="{e(f["alt"])}"></div>'
        )
    alts = "".join(f"<p><b>{e(f['title'])}:</b> {e(f['alt'])}</p>" for f in files)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mock-up: the digest's thread in Slack</title>
<style>{STYLE}</style></head><body>
<div class="banner"><b>Mock-up</b>, not a screenshot of Slack: laid out like Slack's thread pane
by docs/board-paper/make.py, with the pictures and words the bot sends
(invented Riverside partnership).</div>
<div class="pane">
<div class="head">Thread <span># riverside-board</span></div>
<div class="msg"><div class="avatar">CSP</div><div>
<span class="who">CSP Bot</span><span class="app">APP</span><span class="when">09:30</span>
<div><b>{e(title)}</b><br>{e(data["partnership"])} · each priority's RAG, actions, returns
and measures …</div></div></div>
<div class="replies">{len(chart_files(data))} files in the thread</div>
<div class="msg"><div class="avatar">CSP</div><div>
<span class="who">CSP Bot</span><span class="app">APP</span><span class="when">09:31</span>
<div>{e(comment)}</div>
{"".join(shared)}
</div></div>
</div>
<div class="alt"><h2>Each picture's alt text (Slack does not show it; a screen reader reads
it out)</h2>{alts}</div>
</body></html>
"""
