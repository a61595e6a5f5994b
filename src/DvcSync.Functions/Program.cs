return await DvcSync.Functions.FunctionsApp.RunAsync(args);
