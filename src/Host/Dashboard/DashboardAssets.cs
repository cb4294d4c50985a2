using Microsoft.Extensions.FileProviders;

namespace Tally.Host.Dashboard;

/// <summary>
/// Serves the usage dashboard built from src/Dashboard (copied next to tally.dll as <c>wwwroot/</c> by
/// the build, or from <c>Dashboard:AssetsDirectory</c>): the page at <c>/</c> (tenants), <c>/console/…</c>
/// (the tenant's finance console, whose paths the page routes itself) and <c>/portal</c> (a customer's
/// embedded view), revalidated on every load, and its content-hashed files under <c>/assets</c>, cached
/// for a year. Only <c>/portal</c> may be framed by another site.
/// </summary>
public static class DashboardAssets
{
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'";

    public static WebApplication MapTallyDashboard(this WebApplication app)
    {
        var configured = app.Configuration["Dashboard:AssetsDirectory"];
        var root = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(AppContext.BaseDirectory, "wwwroot") : configured);
        var index = Path.Combine(root, "index.html");
        var assets = Path.Combine(root, "assets");
        if (Directory.Exists(assets))
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                RequestPath = "/assets",
                FileProvider = new PhysicalFileProvider(assets),
                OnPrepareResponse = context =>
                {
                    // Vite names every file by its content hash: a new build is a new name.
                    context.Context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
                    context.Context.Response.Headers.XContentTypeOptions = "nosniff";
                },
            });
        }

        app.MapGet("/", (HttpContext context) => PageAsync(context, index, framable: false)).ExcludeFromDescription();
        app.MapGet("/console", (HttpContext context) => PageAsync(context, index, framable: false)).ExcludeFromDescription();
        app.MapGet("/console/{**page}", (HttpContext context) => PageAsync(context, index, framable: false)).ExcludeFromDescription();
        app.MapGet("/portal", (HttpContext context) => PageAsync(context, index, framable: true)).ExcludeFromDescription();
        return app;
    }

    private static async Task PageAsync(HttpContext context, string index, bool framable)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        // The tenant's page holds an API key: no other site may frame it. A portal view is made to be embedded.
        response.Headers.ContentSecurityPolicy = Policy + (framable ? "; frame-ancestors *" : "; frame-ancestors 'none'");
        if (!framable)
        {
            response.Headers.XFrameOptions = "DENY";
        }

        if (!File.Exists(index))
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            response.ContentType = "text/html; charset=utf-8";
            await response.WriteAsync(
                "<!doctype html><html lang=\"en\"><title>Tally</title><h1>The dashboard is not built</h1>" +
                "<p>Run <code>eng/build-dashboard.sh</code> (<code>./tally up</code> does it; it needs npm), then build Tally again. " +
                "The API under <code>/api/v1</code> works without it.</p></html>",
                context.RequestAborted);
            return;
        }

        response.ContentType = "text/html; charset=utf-8";
        await response.SendFileAsync(index, context.RequestAborted);
    }
}
