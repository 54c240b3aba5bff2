# Source this: `apt_install_without_service <package> <unit>` installs a Debian package whose postinst
# would start (and enable) a service we do not want (the tests start their own throw-away servers).
# Service start-up during the install is refused through policy-rc.d (invoke-rc.d and
# deb-systemd-invoke both honour it; exit 101 = "action forbidden"); afterwards the unit is stopped
# and disabled: with systemd running by systemctl, without (containers) by deb-systemd-helper.
apt_install_without_service() {
  local package=$1 unit=$2 sudo="" policy=/usr/sbin/policy-rc.d temp_policy=false
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    temp_policy=true
  fi
  echo "installing $package (Debian)..."
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package" || {
    [ "$temp_policy" = true ] && $sudo rm -f "$policy"
    return 1
  }
  [ "$temp_policy" = true ] && $sudo rm -f "$policy"
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now "$unit" >/dev/null 2>&1 || true
  elif command -v deb-systemd-helper >/dev/null 2>&1; then
    $sudo env DPKG_MAINTSCRIPT_PACKAGE="$package" deb-systemd-helper disable "$unit" >/dev/null 2>&1 || true
  fi
}
