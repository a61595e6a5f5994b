using DvcSync.Infrastructure;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace DvcSync.Functions;

/// <summary>The Azure Functions isolated worker: the platform's triggers over the handlers the standalone host also runs.</summary>
public static class FunctionsApp
{
    public static IHost Build(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddDvcSync(builder.Configuration);
        return builder.Build();
    }
}
