using Microsoft.Playwright;

namespace DvcSync.BrowserTests.Infrastructure;

/// <summary>A page with everything it asked the network for and every console error it logged.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly List<string> _requests = [];
    private readonly List<string> _consoleErrors = [];

    private WatchedPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Request += (_, request) => { lock (_requests) _requests.Add(request.Url); };
        page.Console += (_, message) => { if (message.Type == "error") lock (_consoleErrors) _consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => { lock (_consoleErrors) _consoleErrors.Add("page error: " + error); };
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }

    public IReadOnlyList<string> Requests { get { lock (_requests) return _requests.ToList(); } }
    public IReadOnlyList<string> ConsoleErrors { get { lock (_consoleErrors) return _consoleErrors.ToList(); } }

    public static async Task<WatchedPage> OpenAsync(IBrowserContext context) => new(context, await context.NewPageAsync());

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
