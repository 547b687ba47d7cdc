namespace Ktizo.Gatekeeper.Ui;

/// <summary>The page's only stylesheet and script, served by the gatekeeper itself (machines here have no internet, so no CDN).</summary>
internal static class UiAssets
{
    public const string Css = """
        :root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bad: #b42318; --ok: #1a7f37; --bg2: #f6f8fa; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9aa4ae; --line: #30363d; --bad: #ff7b72; --ok: #3fb950; --bg2: #161b22; } }
        * { box-sizing: border-box; }
        body { font: 16px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0 auto; padding: 1rem; max-width: 72rem; }
        header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; }
        h1 { font-size: 1.4rem; margin: .2rem 0; }
        h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
        code, pre { font-family: ui-monospace, monospace; font-size: .9em; }
        pre { background: var(--bg2); border: 1px solid var(--line); padding: .75rem; overflow-x: auto; }
        .status { border: 1px solid var(--line); padding: .5rem .75rem; background: var(--bg2); }
        .status dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        .status dt { color: var(--muted); }
        .status dd { margin: 0; word-break: break-all; }
        .errors, .refused { color: var(--bad); }
        .done { color: var(--ok); }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        .empty { color: var(--muted); }
        form.inline { display: inline; }
        label { display: block; font-weight: 600; margin-top: .75rem; }
        input, select, button { font: inherit; padding: .45rem .6rem; min-height: 2.6rem; }
        input, select { width: 100%; max-width: 28rem; }
        button, .button { cursor: pointer; border: 1px solid var(--line); background: var(--bg2); color: var(--fg); text-decoration: none; display: inline-block; padding: .45rem .8rem; }
        button.primary { background: #1f6feb; color: #fff; border-color: #1f6feb; }
        .hint { color: var(--muted); font-size: .9em; }
        .signin input { width: auto; }
        /* Phones: each table row becomes a card of label/value lines. */
        @media (max-width: 640px) {
          table, thead, tbody, tr, th, td { display: block; }
          thead { position: absolute; left: -9999px; }
          tr { border: 1px solid var(--line); margin-bottom: .75rem; padding: .25rem; }
          td { border: 0; padding: .2rem .4rem; }
          td::before { content: attr(data-label) ": "; color: var(--muted); font-weight: 600; }
        }
        """;

    /// <summary>
    /// Polls the live part of the page every few seconds and swaps it in when it changed, so a machine that
    /// asks for its config appears without a reload. Forms live outside the swapped part.
    /// </summary>
    public const string Js = """
        (function () {
          'use strict';
          var live = document.getElementById('live');
          if (!live || !window.fetch) { return; }
          var source = live.getAttribute('data-source');
          var interval = parseInt(live.getAttribute('data-interval') || '3000', 10);
          var last = live.innerHTML;
          function poll() {
            fetch(source, { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'text/html' } })
              .then(function (r) { return r.ok ? r.text() : null; })
              .then(function (html) {
                if (html !== null && html !== last) { live.innerHTML = html; last = html; }
              })
              .catch(function () { /* the next poll tries again */ })
              .then(function () { setTimeout(poll, interval); });
          }
          setTimeout(poll, interval);
        })();
        """;
}
