"""The HTML report's stylesheet and script, inlined into the page (no CDN, no web font).

The page reads without the script: the table is complete and sorted by severity on the server side,
the filter controls stay hidden. The script only adds sorting by column and filtering, then marks
the document `data-report-ready="1"` (the browser test waits for it).
"""

from __future__ import annotations

CSS = """
:root{--fg:#0f172a;--muted:#475569;--line:#cbd5e1;--bg:#fff;--card:#f8fafc;
--critical:#7f1d1d;--high:#dc2626;--medium:#b45309;--low:#2563eb;--info:#64748b}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:var(--bg)}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}
header{padding-top:16px}
h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.2rem;margin:1.4em 0 .5em;border-bottom:1px solid var(--line)}
.meta{color:var(--muted);margin:0}
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.tile{flex:1 1 110px;background:var(--card);border:1px solid var(--line);border-left:6px solid var(--info);
border-radius:6px;padding:8px 10px}
.tile b{display:block;font-size:1.6rem}
.tile.critical{border-left-color:var(--critical)}.tile.high{border-left-color:var(--high)}
.tile.medium{border-left-color:var(--medium)}.tile.low{border-left-color:var(--low)}
.tile.new{border-left-color:#9333ea}.tile.fixed{border-left-color:#16a34a}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px}
.grid>.wide{grid-column:1/-1}.grid>div{min-width:0;overflow-x:auto}
td.name{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em;white-space:nowrap}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
.sev{display:inline-block;min-width:4.5em;padding:0 4px;border-radius:3px;color:#fff;font-size:.8rem;
text-align:center;background:var(--info)}
.sev.critical{background:var(--critical)}.sev.high{background:var(--high)}.sev.medium{background:var(--medium)}
.sev.low{background:var(--low)}
.status-muted,.status-baselined{color:var(--muted)}
.msg{overflow-wrap:anywhere}
code,.res{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em;overflow-wrap:anywhere}
details summary{cursor:pointer;color:var(--low)}
.controls{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.controls input,.controls select{font:inherit;padding:4px}
.chart{margin:0}.svg-chart{width:100%;height:auto;max-width:640px}
.svg-chart text{font-size:11px;fill:var(--fg)}
.svg-chart .tick,.svg-chart .count,.svg-chart .axis-label{text-anchor:middle}
.svg-chart .axis{stroke:var(--line)}
.svg-chart .bar{fill:#2563eb}.svg-chart .bar.never{fill:#94a3b8}
.seg.reserved{fill:#7c3aed}.seg.provisioned{fill:#f59e0b}.seg.unreserved{fill:#22c55e}
.floor{stroke:#111827;stroke-width:2;stroke-dasharray:4 2}
.sev-critical{fill:var(--critical)}.sev-high{fill:var(--high)}.sev-medium{fill:#f59e0b}
.sev-low{fill:var(--low)}.sev-info{fill:var(--info)}
figcaption{color:var(--muted);font-size:.85rem}
.empty{color:var(--muted)}
footer{color:var(--muted);font-size:.8rem;padding:24px 16px}
@media (max-width:700px){
 body{font-size:14px}
 #findings-table thead{display:none}
 #findings-table tr{display:block;border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:6px}
 #findings-table td{display:block;border:0;padding:2px 0}
 #findings-table td::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}
}
@media print{
 body{font-size:10pt}.controls,.console{display:none}
 header,main,footer{max-width:none}
 tr,figure,.tile{break-inside:avoid}
 details>*{display:block}
 a{color:inherit;text-decoration:none}
 .sev{color:#000;background:none;border:1px solid #000}
}
"""

JS = """
(function(){
'use strict';
var table=document.getElementById('findings-table');
if(!table){document.documentElement.setAttribute('data-report-ready','1');return;}
var body=table.tBodies[0];
var rows=Array.prototype.slice.call(body.rows);
var controls=document.getElementById('findings-controls');
var text=document.getElementById('filter-text');
var sev=document.getElementById('filter-severity');
var status=document.getElementById('filter-status');
var shown=document.getElementById('shown-count');
function apply(){
 var q=(text.value||'').toLowerCase();
 var n=0;
 rows.forEach(function(r){
  var ok=(!q||r.textContent.toLowerCase().indexOf(q)>=0)
   &&(!sev.value||r.getAttribute('data-severity')===sev.value)
   &&(!status.value||r.getAttribute('data-status')===status.value);
  r.hidden=!ok; if(ok){n++;}
 });
 shown.textContent=String(n);
}
[text,sev,status].forEach(function(el){el.addEventListener('input',apply);el.addEventListener('change',apply);});
var heads=table.tHead.rows[0].cells;
Array.prototype.forEach.call(heads,function(th,i){
 if(!th.hasAttribute('data-sort')){return;}
 var b=document.createElement('button');b.type='button';b.textContent=th.textContent;
 th.textContent='';th.appendChild(b);
 b.addEventListener('click',function(){
  var dir=th.getAttribute('aria-sort')==='ascending'?'descending':'ascending';
  Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
  th.setAttribute('aria-sort',dir);
  var num=th.getAttribute('data-sort')==='number';
  rows.sort(function(a,c){
   var x=a.cells[i].getAttribute('data-key')||a.cells[i].textContent;
   var y=c.cells[i].getAttribute('data-key')||c.cells[i].textContent;
   var r=num?(Number(x)-Number(y)):x.localeCompare(y);
   return dir==='ascending'?r:-r;
  });
  rows.forEach(function(r){body.appendChild(r);});
 });
});
controls.hidden=false;
apply();
document.documentElement.setAttribute('data-report-ready','1');
})();
"""
