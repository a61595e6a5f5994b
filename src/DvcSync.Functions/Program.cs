DvcSync.Functions.FunctionsApp.Build(args).Run();
