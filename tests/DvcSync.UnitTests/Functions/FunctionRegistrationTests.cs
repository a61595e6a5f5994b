using System.Reflection;
using DvcSync.Functions;
using DvcSync.UnitTests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.UnitTests.Functions;

/// <summary>
/// Every class of the Functions app that declares a [Function] method, found by reflection rather than listed by hand,
/// against the real host: each of its functions is in the function metadata the host serves to the platform, under the
/// name and method the code gives it, and the class is built from the host's services. A function added without its
/// wiring (an unregistered dependency, a method the metadata misses) fails here.
/// </summary>
public class FunctionRegistrationTests
{
    private static readonly IReadOnlyList<(Type Class, MethodInfo Method, string Name)> Declared =
        typeof(FunctionsApp).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Select(method => (Class: type, Method: method, Attribute: method.GetCustomAttribute<FunctionAttribute>())))
            .Where(f => f.Attribute is not null)
            .Select(f => (f.Class, f.Method, f.Attribute!.Name))
            .ToList();

    [Fact]
    public async Task Every_function_declared_in_the_assembly_is_in_the_hosts_metadata_as_declared()
    {
        using var host = FunctionsApp.Build(RealHostTests.ValidArgs());
        var metadata = await host.Services.GetRequiredService<IFunctionMetadataProvider>().GetFunctionMetadataAsync(AppContext.BaseDirectory);

        Assert.NotEmpty(Declared);
        Assert.Equal(
            Declared.Select(f => $"{f.Name} -> {f.Class.FullName}.{f.Method.Name}").Order(StringComparer.Ordinal),
            metadata.Select(f => $"{f.Name} -> {f.EntryPoint}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_function_class_is_built_from_the_hosts_services()
    {
        using var host = FunctionsApp.Build(RealHostTests.ValidArgs());
        var classes = Declared.Select(f => f.Class).Where(c => !c.IsAbstract).Distinct().ToList();

        Assert.NotEmpty(classes);
        foreach (var type in classes) Assert.NotNull(ActivatorUtilities.CreateInstance(host.Services, type));
    }
}
