#pragma once

#include <QString>
#include <QtGlobal>

namespace lockscope {

enum class FilesystemKind
{
    Local,
    Network,
    Fuse,
    Unknown
};

// Facts about the directory that holds a lock: where it lives and whether this
// user could remove an entry from it.
struct DirectoryFacts
{
    FilesystemKind kind = FilesystemKind::Unknown;
    QString typeName; // "ext4", "nfs", "fuse", or the magic number in hex
    bool readOnly = false;
    bool writable = false; // write and search permission for this user
    bool sticky = false;
    uint ownerUid = 0;
    int error = 0; // errno of a failed statfs/fstat, 0 when all was read
};

// Probes the directory open at dirfd.
DirectoryFacts probeDirectory(int dirfd);

QString filesystemKindName(FilesystemKind kind);

} // namespace lockscope
