// The private network the function app reaches its storage and its Key Vault through: both refuse public traffic by
// default, so the app's outbound traffic goes through its integration subnet to private endpoints, and private DNS
// zones linked to the network resolve the services' usual host names to those endpoints.

param location string
param tags object

@description('Prefix of the network names.')
param namePrefix string

@description('Address space of the virtual network.')
param addressPrefix string

@description('Subnet the Flex Consumption app is integrated with (delegated to Microsoft.App/environments).')
param appSubnetPrefix string

@description('Subnet holding the private endpoints of storage and Key Vault.')
param privateEndpointSubnetPrefix string

// The private-link zones of the services the app reaches, in this cloud (e.g. privatelink.blob.core.windows.net,
// privatelink.vaultcore.azure.net).
var storageZones = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  queue: 'privatelink.queue.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
}
var vaultZone = 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-${namePrefix}'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [addressPrefix]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in concat(map(items(storageZones), z => z.value), [vaultZone]): {
    name: zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, i) in concat(map(items(storageZones), z => z.value), [vaultZone]): {
    parent: zones[i]
    name: 'link-${namePrefix}'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'app')
output privateEndpointSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'private-endpoints')

@description('Private DNS zone IDs by storage service (blob, queue, table).')
output storageZoneIds object = toObject(items(storageZones), z => z.key, z => resourceId('Microsoft.Network/privateDnsZones', z.value))

output vaultZoneId string = resourceId('Microsoft.Network/privateDnsZones', vaultZone)
