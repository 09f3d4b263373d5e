using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace QlikBackup.Functions.Api;

/// <summary>
/// GET /api/console: the recovery console, one page that calls only this API. Its sources are Console/index.html,
/// console.css and console.js (embedded); they are served inlined as one document, because a browser sends the
/// function key (?code=) with the page's own request only, never with the requests for its stylesheet and script.
/// </summary>
public static class ConsoleApi
{
    static readonly Lazy<(string Html, string Policy)> Page = new(Assemble);

    public static Task<IActionResult> GetAsync(ApiCall call)
    {
        var headers = call.Request.HttpContext.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        // The page's URL may carry the key (?code=): never send it on as a referrer.
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = Page.Value.Policy;
        return Task.FromResult<IActionResult>(new ContentResult { Content = Page.Value.Html, ContentType = "text/html; charset=utf-8", StatusCode = 200 });
    }

    static (string, string) Assemble()
    {
        string html = Read("index.html"), css = Read("console.css"), js = Read("console.js");
        const string Link = "<link rel=\"stylesheet\" href=\"console.css\">", Script = "<script src=\"console.js\"></script>";
        if (!html.Contains(Link, StringComparison.Ordinal) || !html.Contains(Script, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Console/index.html must link console.css and console.js exactly once each.");
        }

        // Only these two inline blocks may run or style the page: the policy names them by hash.
        string page = html.Replace(Link, $"<style>{css}</style>", StringComparison.Ordinal).Replace(Script, $"<script>{js}</script>", StringComparison.Ordinal);
        string policy = $"default-src 'none'; script-src '{Hash(js)}'; style-src '{Hash(css)}'; connect-src 'self'; frame-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";
        return (page, policy);
    }

    static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    static string Read(string file)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("QlikBackup.Console." + file)
            ?? throw new InvalidOperationException($"The console's {file} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
