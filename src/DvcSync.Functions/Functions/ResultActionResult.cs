using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace DvcSync.Functions.Functions;

/// <summary>Lets a function return the shared API's <see cref="IResult"/> through the ASP.NET Core integration.</summary>
public sealed class ResultActionResult(IResult result) : IActionResult
{
    public IResult Result { get; } = result;

    public Task ExecuteResultAsync(ActionContext context) => Result.ExecuteAsync(context.HttpContext);
}

public static class ResultActionResultExtensions
{
    public static async Task<IActionResult> AsActionResult(this Task<IResult> result) => new ResultActionResult(await result);

    public static IActionResult AsActionResult(this IResult result) => new ResultActionResult(result);
}
