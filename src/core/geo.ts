export interface GeoLocation {
  country?: string;
  city?: string;
  latitude: number;
  longitude: number;
}
