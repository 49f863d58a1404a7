#include "entryfile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lockscope {

namespace {

FileType typeOf(mode_t mode)
{
    if (S_ISREG(mode))
        return FileType::Regular;
    if (S_ISLNK(mode))
        return FileType::Symlink;
    if (S_ISDIR(mode))
        return FileType::Directory;
    if (S_ISFIFO(mode))
        return FileType::Fifo;
    if (S_ISSOCK(mode))
        return FileType::Socket;
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return FileType::Device;
    return FileType::Other;
}

void fill(EntryFile &entry, const struct stat &st)
{
    entry.type = typeOf(st.st_mode);
    entry.dev = st.st_dev;
    entry.ino = st.st_ino;
    entry.nlink = st.st_nlink;
    entry.mode = st.st_mode & 07777;
    entry.uid = st.st_uid;
    entry.size = st.st_size;
    entry.mtimeMs = qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
    entry.ctimeMs = qint64(st.st_ctim.tv_sec) * 1000 + st.st_ctim.tv_nsec / 1'000'000;
}

} // namespace

EntryFile statEntry(int dirfd, const QByteArray &name)
{
    EntryFile entry;
    struct stat st
    {
    };
    if (::fstatat(dirfd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        entry.statErrno = errno;
        return entry;
    }
    fill(entry, st);
    return entry;
}

EntryFile readEntry(int dirfd, const QByteArray &name, qint64 bound)
{
    EntryFile entry = statEntry(dirfd, name);
    if (entry.type != FileType::Regular)
        return entry;

    const int fd = ::openat(dirfd, name.constData(),
                            O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        entry.openErrno = errno;
        if (errno == ENOENT)
            entry.type = FileType::Missing;
        return entry;
    }

    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0) {
        entry.openErrno = errno;
        ::close(fd);
        return entry;
    }
    // The entry may have been replaced between lstat and open; describe what was
    // actually opened, and never read anything that is not a regular file.
    fill(entry, st);
    if (entry.type != FileType::Regular) {
        ::close(fd);
        return entry;
    }

    // st_size is only a hint (the file may be growing); read up to one byte past
    // the bound to tell "exactly at the bound" from "larger".
    entry.bytes.resize(int(qMin<qint64>(qMax<qint64>(st.st_size, 4096), bound) + 1));
    qint64 got = 0;
    while (got < entry.bytes.size()) {
        const ssize_t n = ::read(fd, entry.bytes.data() + got, size_t(entry.bytes.size() - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            entry.openErrno = errno;
            ::close(fd);
            entry.bytes.clear();
            return entry;
        }
        if (n == 0)
            break;
        got += n;
    }
    ::close(fd);
    entry.bytes.truncate(int(got));
    if (entry.bytes.size() > bound) {
        entry.bytes.truncate(int(bound));
        entry.truncated = true;
    }
    // The buffer was sized for at least 4 KiB; a lock is about 200 bytes, and
    // snapshots keep it.
    entry.bytes.squeeze();
    entry.read = true;
    return entry;
}

QString fileTypeName(FileType type)
{
    switch (type) {
    case FileType::Missing:
        return QStringLiteral("missing");
    case FileType::Regular:
        return QStringLiteral("file");
    case FileType::Symlink:
        return QStringLiteral("symlink");
    case FileType::Directory:
        return QStringLiteral("directory");
    case FileType::Fifo:
        return QStringLiteral("fifo");
    case FileType::Socket:
        return QStringLiteral("socket");
    case FileType::Device:
        return QStringLiteral("device");
    case FileType::Other:
        return QStringLiteral("other");
    }
    return {};
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace lockscope
